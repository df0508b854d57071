import { performance } from 'node:perf_hooks';
import { FesterError, type Action, type Build, type Candidate, type Compiler, type FesterEvent, type FesterPlugin } from '@fester/core';
import { pick } from '../decision.js';
import type { HistoryData } from '../history/History.js';
import { historyOf } from '../index.js';
import { schedulerAdvisorOf, type SchedulerAdvisor } from '../intelligence/Advisor.js';
import type { ModeName } from '../modes/types.js';
import type { Baseline } from './baselines.js';
import type { Farm, Trace } from './formats.js';
import { Heap } from './heap.js';
import { lowerBound } from './lowerBound.js';
import { checkFits, makeBuild } from './setup.js';
import { gaussian, SimNode, type Run } from './SimNode.js';
import { summarise, type SimResult } from './result.js';

export interface SimOptions {
  trace: Trace;
  farm: Farm;
  mode: ModeName | Baseline;
  seed?: number;
  weights?: Record<string, number>;
  /** More plugins, given the virtual clock (the CLI adds the thermal plugin this way). */
  plugins?: (ctx: { clock: () => number; farm: Farm }) => FesterPlugin[];
  /** Act on the intelligence mode's advice: critical-path order, waiting, straggler duplicates (default true). */
  advice?: boolean;
  /** Journal `schedule.decision` events (to the onEvent callback); off by default, it costs time. */
  record?: boolean;
  onEvent?: (ev: FesterEvent) => void;
  /** The scheduler's runtime history at the start (a farm that built before); none: it starts empty. */
  history?: HistoryData;
}

/** Give up when nothing ran or was dispatched for this long while actions remain. */
const STALL_MS = 3_600_000;
/** Consecutive failed placements after which a dispatch round stops (every one is a hook call). */
const MAX_MISSES = 64;
const EPS = 1e-6;

/**
 * A discrete-event model of a farm running a trace through the real scheduler plugins. Time
 * jumps from event to event (a phase change of a run, a dropout, a thermal tick); between
 * events every node's state evolves exactly (SimNode.advance). At each event, ready actions
 * are offered to the schedule hook in the order the core would use (or the intelligence
 * advisor's critical-path order), and the first-best candidate runs.
 */
export class Simulation {
  now = 0;
  private readonly nodes: SimNode[];
  private readonly compiler: Compiler;
  private readonly build: Build;
  private readonly actions: Action[];
  private readonly depsLeft: number[];
  private readonly users: number[][];
  private readonly done: boolean[];
  private readonly prio: number[];
  private readonly seqOf: number[];
  private readonly queues = new Map<string, Heap<number>>();
  private readonly advisor?: SchedulerAdvisor;
  private readonly transitions: { at: number; node: SimNode; up: boolean }[];
  private readonly ordered: boolean;
  private readySeq = 0;
  private finished = 0;
  private lastActivity = 0;
  readonly counters = { dispatches: 0, aboveThreshold: 0, speculations: 0, speculationWins: 0, requeued: 0, inputBytes: 0, outputBytes: 0, throttleEvents: 0, decisions: 0 };
  readonly decisionMs: number[] = [];

  constructor(private readonly o: SimOptions) {
    checkFits(o.trace, o.farm);
    this.nodes = o.farm.nodes.map((n, i) => new SimNode(n, i));
    const sizes = new Map<string, number>();
    for (const a of o.trace.actions) {
      for (const i of a.inputs) sizes.set(i.digest, i.bytes);
      sizes.set(`out:${a.id}`, a.outputBytes);
    }
    const byId = new Map(this.nodes.map((n) => [n.spec.id, n]));
    const clock = () => this.now;
    const { compiler, build } = makeBuild(o.trace, {
      mode: o.mode, seed: o.seed ?? 0, weights: o.weights, advice: o.advice ?? true, record: o.record ?? false, clock, farm: o.farm, sizes,
      holds: (id) => byId.get(id)?.blobs, speedOf: (id) => byId.get(id)?.spec.speed ?? 1, extra: o.plugins?.({ clock, farm: o.farm }) ?? [],
    });
    this.compiler = compiler;
    this.build = build;
    compiler.hooks.event.tap('sim:observer', (ev) => {
      if (ev.type === 'node.throttled') this.counters.throttleEvents++;
      else if (ev.type === 'schedule.speculation') this.counters.speculations++;
      o.onEvent?.(ev);
    });
    this.actions = [...build.graph!.actions];
    const index = new Map(this.actions.map((a, i) => [a.id, i]));
    this.depsLeft = this.actions.map((a) => build.graph!.depsOf(a).length);
    this.users = this.actions.map((a) => build.graph!.usersOf(a).map((u) => index.get(u.id)!));
    this.done = this.actions.map(() => false);
    this.prio = this.actions.map(() => 0);
    this.seqOf = this.actions.map(() => 0);
    this.advisor = o.advice === false ? undefined : schedulerAdvisorOf(compiler);
    if (o.history) historyOf(compiler)?.absorb(o.history);
    // The run queue's order is the core's: the build's `prioritize` hook (critical path first), when tapped.
    this.ordered = o.advice !== false && build.hooks.prioritize.taps.length > 0;
    this.transitions = this.nodes.flatMap((n) => n.spec.dropouts.flatMap((d) => [{ at: d.atMs, node: n, up: false }, ...(d.forMs !== undefined ? [{ at: d.atMs + d.forMs, node: n, up: true }] : [])])).sort((x, y) => x.at - y.at || x.node.index - y.node.index || Number(x.up) - Number(y.up));
  }

  /** What the scheduler learned (to start another simulation from, as a farm's next build would). */
  learned(): HistoryData | undefined {
    return structuredClone(historyOf(this.compiler)?.data);
  }

  run(): SimResult {
    this.actions.forEach((_, i) => { if (this.depsLeft[i] === 0) this.makeReady(i); });
    let nextTick = this.o.farm.tickMs;
    while (this.finished < this.actions.length) {
      this.dispatchRound();
      let next = nextTick;
      for (const n of this.nodes) for (const r of n.runs) next = Math.min(next, this.now + n.nextChange(r));
      if (this.transitions.length) next = Math.min(next, this.transitions[0]!.at);
      this.advanceTo(Math.max(next, this.now));
      if (this.now >= nextTick - EPS) nextTick = this.now + this.o.farm.tickMs;
      while (this.transitions.length && this.transitions[0]!.at <= this.now + EPS) this.transition(this.transitions.shift()!);
      this.completeRuns();
      if (this.now - this.lastActivity > STALL_MS) {
        throw new FesterError('FE1025', { message: `simulation stalled at ${(this.now / 1000).toFixed(0)} s: ${this.actions.length - this.finished} actions left and no node took one for an hour of simulated time` });
      }
    }
    return summarise(this, this.o, this.nodes, lowerBound(this.o.trace, this.o.farm));
  }

  private key(i: number): string {
    return `${this.actions[i]!.target}${this.actions[i]!.meta.parallel === 'high' ? '!' : ''}`;
  }

  private makeReady(i: number): void {
    const k = this.key(i);
    let q = this.queues.get(k);
    if (!q) this.queues.set(k, (q = new Heap<number>((a, b) => this.prio[a]! > this.prio[b]! || (this.prio[a] === this.prio[b] && this.seqOf[a]! < this.seqOf[b]!))));
    this.prio[i] = this.ordered ? this.build.hooks.prioritize.call(0, this.actions[i]!) : 0;
    this.seqOf[i] = this.readySeq++;
    q.push(i);
  }

  private candidates(): Candidate[] {
    return this.nodes.map((n) => ({ node: n.info(), score: 0, factors: {} }));
  }

  /** Offer ready actions to the hook, best queue head first, until slots or patience run out. */
  private dispatchRound(): void {
    let free = 0;
    for (const n of this.nodes) if (n.up) free += Math.max(0, n.spec.slots + n.spec.queue - n.runs.length);
    const blocked = new Set<string>();
    const setAside: number[] = [];
    let misses = 0;
    while (free > 0 && misses < MAX_MISSES) {
      let bestKey: string | undefined;
      for (const [k, q] of this.queues) {
        if (!q.size || blocked.has(k)) continue;
        const top = q.peek()!;
        const cur = bestKey === undefined ? undefined : this.queues.get(bestKey)!.peek()!;
        if (cur === undefined || this.prio[top]! > this.prio[cur]! || (this.prio[top] === this.prio[cur] && this.seqOf[top]! < this.seqOf[cur]!)) bestKey = k;
      }
      if (bestKey === undefined) break;
      const i = this.queues.get(bestKey)!.pop()!;
      const { node, deferred } = this.place(i, this.candidates());
      if (!node) {
        setAside.push(i);
        misses++;
        // The same target meets the same nodes: unless the mode chose to wait for this one action, the rest of its queue would fail too.
        if (!deferred) blocked.add(bestKey);
        continue;
      }
      misses = 0;
      this.start(i, node, false);
      free--;
    }
    for (const i of setAside) this.queues.get(this.key(i))!.push(i);
    this.speculate();
  }

  private place(i: number, cands: Candidate[]): { node?: SimNode; deferred: boolean } {
    this.compiler.replaceNodes(cands.map((c) => c.node));
    const t0 = performance.now();
    const out = this.build.hooks.schedule.call(cands, this.actions[i]!);
    const best = pick(out);
    this.decisionMs.push(performance.now() - t0);
    this.counters.decisions++;
    return { node: best ? this.nodes.find((n) => n.spec.id === best.node.id) : undefined, deferred: out.some((c) => c.filtered?.startsWith('intelligence:')) };
  }

  /** Idle nodes take duplicates of stragglers the advisor names (first result wins). */
  private speculate(): void {
    if (!this.advisor) return;
    const idle = this.nodes.filter((n) => n.up && n.runs.length === 0);
    if (!idle.length) return;
    for (const s of this.advisor.stragglers()) {
      const i = this.actions.findIndex((a) => a.id === s.action);
      const cands = this.candidates();
      for (const c of cands) {
        if (c.node.id === s.node) c.filtered = 'speculation: runs the original';
        else if (!idle.some((n) => n.spec.id === c.node.id)) c.filtered = 'busy: not idle';
      }
      const { node } = this.place(i, cands);
      if (!node || !this.advisor.proposeDuplicate(s, node.info())) continue;
      this.start(i, node, true);
      idle.splice(idle.indexOf(node), 1);
      if (!idle.length) return;
    }
  }

  private start(i: number, node: SimNode, duplicate: boolean): void {
    const a = this.actions[i]!;
    const t = this.o.trace.actions[i]!;
    this.counters.dispatches++;
    node.dispatches++;
    if (node.throttled) this.counters.aboveThreshold++;
    let bytes = 0;
    for (const d of a.meta.inputDigests as string[]) {
      if (node.blobs.has(d)) continue;
      node.blobs.add(d);
      bytes += d.startsWith('out:') ? this.o.trace.actions[this.indexOf(d.slice(4))]!.outputBytes : t.inputs.find((x) => x.digest === d)?.bytes ?? 0;
    }
    this.counters.inputBytes += bytes;
    const transfer = bytes > 0 ? node.spec.latencyMs + bytes / (node.spec.bandwidthMBps * 1000) : 0;
    const jitter = node.spec.jitter > 0 ? Math.exp(node.spec.jitter * gaussian(this.o.seed ?? 0, a.id, node.spec.id)) : 1;
    const heat = t.parallel === 'high' ? Math.min(node.spec.slots, 4) : 1;
    const run: Run = { action: i, node, transferLeft: transfer, workLeft: t.durationMs, jitter, heat, startedAt: this.now, duplicate };
    node.runs.push(run);
    if (transfer <= 0 && node.active(run)) run.computeStartedAt = this.now;
    node.changed();
    this.lastActivity = this.now;
    this.build.emit({ type: 'action.started', action: a.id, node: node.spec.id, argv: [...a.argv], cwd: a.cwd });
  }

  private readonly ids = new Map<string, number>();
  private indexOf(id: string): number {
    if (!this.ids.size) this.actions.forEach((a, i) => this.ids.set(a.id, i));
    return this.ids.get(id)!;
  }

  private advanceTo(t: number): void {
    const dt = t - this.now;
    // A run that left a queue (a slot freed) with nothing to fetch computes from now on.
    for (const n of this.nodes) startComputing(n, this.now);
    for (const n of this.nodes) {
      n.advance(dt);
      // A run whose inputs arrived in a slot starts computing at t (its reported runtime excludes the wait).
      startComputing(n, t);
    }
    this.now = t;
  }

  private completeRuns(): void {
    for (const n of this.nodes) {
      const doneRuns = n.runs.filter((r) => r.transferLeft <= 0 && r.computeStartedAt !== undefined && r.workLeft <= EPS * Math.max(1, this.o.trace.actions[r.action]!.durationMs));
      for (const r of doneRuns) if (n.runs.includes(r)) this.complete(r);
    }
  }

  private complete(r: Run): void {
    const n = r.node;
    n.runs.splice(n.runs.indexOf(r), 1);
    n.changed();
    const a = this.actions[r.action]!;
    n.blobs.add(`out:${a.id}`);
    this.counters.outputBytes += this.o.trace.actions[r.action]!.outputBytes;
    this.lastActivity = this.now;
    this.build.emit({ type: 'action.finished', action: a.id, node: n.spec.id, exitCode: 0, durationMs: Math.round(this.now - (r.computeStartedAt ?? r.startedAt)), status: 'success' });
    if (r.duplicate) this.counters.speculationWins++;
    // The other copy of a speculated action is cancelled: first result wins.
    for (const m of this.nodes) {
      for (const other of m.runs.filter((x) => x.action === r.action)) {
        m.runs.splice(m.runs.indexOf(other), 1);
        m.changed();
        this.build.emit({ type: 'action.finished', action: a.id, node: m.spec.id, exitCode: null, durationMs: 0, status: 'interrupted', message: 'the other copy finished first' });
      }
    }
    this.done[r.action] = true;
    this.finished++;
    for (const u of this.users[r.action]!) if (--this.depsLeft[u]! === 0) this.makeReady(u);
  }

  private transition(t: { node: SimNode; up: boolean }): void {
    const n = t.node;
    n.up = t.up;
    n.changed();
    if (t.up) return;
    for (const r of [...n.runs]) {
      n.runs.splice(n.runs.indexOf(r), 1);
      this.build.emit({ type: 'action.finished', action: this.actions[r.action]!.id, node: n.spec.id, exitCode: null, durationMs: 0, status: 'failed', infrastructure: true, message: 'node dropped out' });
      const elsewhere = this.nodes.some((m) => m.runs.some((x) => x.action === r.action));
      if (!elsewhere && !this.done[r.action]) { this.counters.requeued++; this.makeReady(r.action); }
    }
  }
}

/** Runs holding a slot with their inputs fetched that have not started computing: they start at `at`. */
function startComputing(n: SimNode, at: number): void {
  for (let k = 0; k < Math.min(n.runs.length, n.spec.slots); k++) {
    const r = n.runs[k]!;
    if (r.transferLeft <= EPS && r.computeStartedAt === undefined) { r.transferLeft = 0; r.computeStartedAt = at; }
  }
}
