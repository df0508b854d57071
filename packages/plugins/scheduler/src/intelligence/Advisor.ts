import type { Action, ActionGraph, EventPayload, NodeInfo } from '@fester/core';
import type { RunningTracker } from '../host.js';
import { CriticalPath } from '../criticalPath.js';
import type { RuntimeModel } from './RuntimeModel.js';

/**
 * Where the intelligence mode publishes its advice on the Compiler. Real builds act on all of
 * it through build hooks the plugin taps: `prioritize` orders the run queue by `priority`, and
 * `speculate` — asked by the core's runner when nodes idle with nothing ready — offers
 * `stragglers()` to `proposeDuplicate`; the runner keeps the first copy that succeeds. The
 * simulator calls the same methods directly.
 */
export const SCHEDULER_ADVISOR = Symbol.for('fester.scheduler.advisor');

export interface Straggler {
  action: string;
  node: string;
  elapsedMs: number;
  predictedMs: number;
}

export interface SpeculationProposal extends Straggler {
  /** The idle node to run the duplicate on. */
  target: string;
  /** Predicted runtime there. */
  duplicateMs: number;
  /** seq of the `schedule.speculation` event, when it was journaled. */
  seq?: number;
}

export interface SchedulerAdvisor {
  /** Higher first: predicted ms from this action's start to the end of the build (HEFT upward rank). */
  priority(actionId: string): number;
  /** Runs well past their prediction (beyond e^(2σ) of it), most overdue first; none already duplicated. */
  stragglers(): Straggler[];
  /** Predicted runtime of a duplicate on `node` when it would finish before the original is expected to; journals nothing. */
  duplicateMs(s: Straggler, node: NodeInfo): number | undefined;
  /** A duplicate on `node` if it is predicted to finish first; journals `schedule.speculation`. */
  proposeDuplicate(s: Straggler, node: NodeInfo): SpeculationProposal | undefined;
}

export function schedulerAdvisorOf(compiler: object): SchedulerAdvisor | undefined {
  return (compiler as Record<symbol, SchedulerAdvisor | undefined>)[SCHEDULER_ADVISOR];
}

export interface AdvisorIo {
  now(): number;
  graph(): ActionGraph | undefined;
  /** Returns the event's seq when it was journaled. */
  emit(p: EventPayload): number | undefined | void;
}

/** A straggler must also be this late in absolute terms: sub-second noise is not worth a copy. */
const MIN_LATE_MS = 1000;
/** A duplicate must beat the original's expected remaining time by this factor. */
const DUPLICATE_GAIN = 0.8;

export class IntelligenceAdvisor implements SchedulerAdvisor {
  /** Ranks weighted by each action's own past runtime, else the model's mean, recomputed as it learns. */
  private readonly critical: CriticalPath;

  constructor(private readonly model: RuntimeModel, private readonly running: RunningTracker, private readonly io: AdvisorIo) {
    this.critical = new CriticalPath((a) => model.rankMs(a), () => model.observations);
  }

  priority(actionId: string): number {
    return this.critical.priority(this.io.graph(), actionId);
  }

  stragglers(): Straggler[] {
    const g = this.io.graph();
    if (!g) return [];
    const now = this.io.now();
    const copies = new Map<string, number>();
    for (const r of this.running.runs.values()) copies.set(r.action, (copies.get(r.action) ?? 0) + 1);
    const out: (Straggler & { late: number })[] = [];
    for (const r of this.running.runs.values()) {
      if (copies.get(r.action)! > 1) continue;
      const a = g.get(r.action);
      if (!a) continue;
      const p = this.model.predict(r.node, a);
      const elapsed = now - r.startedAt;
      if (elapsed > p.ms * Math.exp(2 * p.sigma) && elapsed - p.ms > MIN_LATE_MS) out.push({ action: r.action, node: r.node, elapsedMs: elapsed, predictedMs: p.ms, late: elapsed / p.ms });
    }
    return out.sort((x, y) => y.late - x.late || x.action.localeCompare(y.action)).map(({ late: _late, ...s }) => s);
  }

  duplicateMs(s: Straggler, node: NodeInfo): number | undefined {
    const a: Action | undefined = this.io.graph()?.get(s.action);
    if (!a || node.id === s.node) return undefined;
    const dup = this.model.predict(node.id, a).ms;
    return dup < remainingMs(s.predictedMs, s.elapsedMs) * DUPLICATE_GAIN ? dup : undefined;
  }

  proposeDuplicate(s: Straggler, node: NodeInfo): SpeculationProposal | undefined {
    const dup = this.duplicateMs(s, node);
    if (dup === undefined) return undefined;
    const reason = `ran ${Math.round(s.elapsedMs)} ms against ${Math.round(s.predictedMs)} ms predicted on ${s.node}; ${node.id} is idle and predicted ${Math.round(dup)} ms`;
    const seq = this.io.emit({ type: 'schedule.speculation', action: s.action, node: node.id, original: s.node, elapsedMs: Math.round(s.elapsedMs), predictedMs: Math.round(dup), reason });
    return { ...s, target: node.id, duplicateMs: dup, ...(typeof seq === 'number' ? { seq } : {}) };
  }

  private freeMemo = new Map<string, number>();
  private freeMemoAt = Number.NaN;

  started(actionId: string, nodeId: string): void {
    const a = this.io.graph()?.get(actionId);
    // Predicted runtime of the run, fixed when it starts (as HEFT's schedule would be), kept on
    // the run itself: freeInMs reads it for every run of every busy node of a decision.
    const run = this.running.runs.get(`${actionId}\0${nodeId}`);
    if (run) run.predictedMs = a ? this.model.predict(nodeId, a).ms : 1000;
    this.freeMemoAt = Number.NaN;
    this.release(actionId);
  }

  finished(actionId: string, nodeId: string): void {
    this.freeMemoAt = Number.NaN;
  }

  /** Predicted time until a node has a free slot: its earliest predicted completion (memoised per instant). */
  freeInMs(nodeId: string): number {
    const now = this.io.now();
    if (now !== this.freeMemoAt) { this.freeMemo = new Map(); this.freeMemoAt = now; }
    const memo = this.freeMemo.get(nodeId);
    if (memo !== undefined) return memo;
    let soonest = Infinity;
    for (const r of this.running.runsOn(nodeId)) {
      const p = r.predictedMs ?? 1000;
      soonest = Math.min(soonest, remainingMs(p, now - r.startedAt));
    }
    const v = soonest === Infinity ? 0 : soonest;
    this.freeMemo.set(nodeId, v);
    return v;
  }

  /**
   * Waiting for a busy node is a reservation of its next free slot: one action per node, so
   * a queue of ready actions does not all wait for the same fast machine while slower ones
   * idle. Released when the action starts anywhere.
   */
  private readonly reservations = new Map<string, string>();

  canReserve(nodeId: string, actionId: string): boolean {
    for (const [a, n] of this.reservations) if (n === nodeId && a !== actionId) return false;
    return true;
  }

  reserve(actionId: string, nodeId: string): void { this.reservations.set(actionId, nodeId); }

  release(actionId: string): void { this.reservations.delete(actionId); }
}

/** Expected time left of a run: its prediction minus elapsed, or — once overdue — half of what it has run. */
export function remainingMs(predictedMs: number, elapsedMs: number): number {
  return Math.max(predictedMs - elapsedMs, elapsedMs * 0.5, 0);
}
