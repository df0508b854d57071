import { SAMPLE_ALL, SAMPLE_TOP, topIndices, type Action, type ActionGraph, type BuildHooks, type Candidate, type FesterEvent } from '@fester/core';
import { decisionEvent, liveOf } from './decision.js';
import { FactorTable } from './factorTable.js';
import { actionClass } from './history/actionClass.js';
import type { RunningTracker, SchedulerHost } from './host.js';
import { IntelligenceAdvisor } from './intelligence/Advisor.js';
import { RuntimeModel } from './intelligence/RuntimeModel.js';
import { cacheFirstMode, intelligenceMode, targetIsolatedMode, thermalMode, unifiedMode, type DecisionContext, type ModeName, type SchedulingMode } from './modes/index.js';
import { patience } from './modes/patience.js';
import { CriticalPath } from './criticalPath.js';
import { ThermalSignals } from './thermalSignals.js';
import { tieBreakFor } from './tieBreak.js';

export const NAME = '@fester/plugin-scheduler';
/** After the core's eligibility (−100) and the thermal plugin's filters (50). */
export const MODE_STAGE = 100;
/** Last: the decision is recorded once every plugin has filtered and scored. */
export const RECORD_STAGE = 1000;
/** Weight of the seeded tie-break: orders equal candidates, never outweighs a real difference. */
export const TIE_WEIGHT = 1e-6;

export interface SchedulerSettings {
  mode: ModeName;
  seed: number;
  /** Overrides of the mode's default weights, by factor name. */
  weights: Readonly<Record<string, number>>;
  /** target-isolated: target → architecture of its pool. */
  pools: Readonly<Record<string, string>>;
  /** Journal a `schedule.decision` per placement. */
  record: boolean;
  /** Max temperature the thermal mode assumes when the thermal plugin is not loaded. */
  maxCelsius: number;
}

/**
 * One scheduler: a mode, its weights and seed, the state it learns from events. The plugin
 * makes one per Compiler; the simulator makes one per run. Both tap a real `schedule` hook.
 */
export class Scheduler {
  readonly mode: SchedulingMode;
  readonly weights: Readonly<Record<string, number>>;
  readonly model?: RuntimeModel;
  readonly advisor?: IntelligenceAdvisor;
  private warnedLocality = false;
  private readonly signals: ThermalSignals;
  /** Actions no node took at their last decision, with the filter rules why (see tap). */
  private readonly waiting = new Map<string, string>();
  private readonly table = new FactorTable();
  private lastWorkAhead?: { action: string; remainingMs: number; tailMs: number };
  /**
   * One clock reading per placement: everything a decision computes from time (how long runs
   * have run, temperature trends) sees the same instant, and the decision journals it, so
   * replay computes against exactly what the live scheduler read.
   */
  private pinned?: number;
  private clockRead = false;
  private lastClock?: { action: string; at: number };
  /** Critical-path ranks and the work ahead, from the runtime history (the run queue's order). */
  readonly critical: CriticalPath;

  constructor(readonly settings: SchedulerSettings, readonly host: SchedulerHost, readonly tracker: RunningTracker) {
    const signals = (this.signals = new ThermalSignals(() => host.thermal(), settings.maxCelsius, () => this.now()));
    switch (settings.mode) {
      case 'unified': this.mode = unifiedMode(); break;
      case 'thermal': this.mode = thermalMode(signals); break;
      case 'cache-first': this.mode = cacheFirstMode(); break;
      case 'target-isolated': this.mode = targetIsolatedMode(settings.pools); break;
      case 'intelligence': {
        this.model = new RuntimeModel(host.history);
        this.advisor = new IntelligenceAdvisor(this.model, tracker, { now: () => this.now(), graph: () => host.graph(), emit: (p) => host.emit(p) });
        this.mode = intelligenceMode(this.model, this.advisor, signals);
        break;
      }
    }
    this.weights = { ...this.mode.weights, ...settings.weights };
    this.critical = CriticalPath.fromHistory(() => host.history);
  }

  /** Tap the mode and the recorder on a build's schedule hook. */
  tap(hook: BuildHooks['schedule']): void {
    hook.tap({ name: NAME, stage: MODE_STAGE }, (all, action) => this.score(all, action));
    if (this.settings.record) {
      hook.tap({ name: `${NAME}:record`, stage: RECORD_STAGE }, (all, action) => {
        if (all.length > 1 || all.some((c) => c.filtered)) {
          // An action waiting for a hot node is asked about every poll: journal the wait once.
          const unplaced = all.every((c) => c.filtered) ? all.map((c) => `${c.node.id}=${c.filtered!.split(':')[0]}`).join(';') : undefined;
          if (unplaced === undefined || this.waiting.get(action.id) !== unplaced) {
            const w = this.lastWorkAhead?.action === action.id ? this.lastWorkAhead : undefined;
            const clock = this.lastClock?.action === action.id ? this.lastClock.at : undefined;
            this.host.emit(decisionEvent(action.id, actionClass(action), this.mode.name, this.settings.seed, all, { ...(w && { workAhead: { remainingMs: w.remainingMs, tailMs: w.tailMs } }), ...(clock !== undefined && { clock }) }));
          }
          if (unplaced === undefined) this.waiting.delete(action.id);
          else this.waiting.set(action.id, unplaced);
        }
        return all;
      });
    }
  }

  /** The mode's filters and factors, the seeded tie-break, then score = Σ value × weight. */
  score(all: Candidate[], action: Action): Candidate[] {
    this.pinned = this.host.now();
    this.clockRead = false;
    try {
      return this.scoreAt(all, action);
    } finally {
      // Journaled only when the mode read it: most placements compute nothing from time.
      this.lastClock = this.clockRead ? { action: action.id, at: this.pinned } : undefined;
      this.pinned = undefined;
    }
  }

  /** The scheduler's clock: the placement's instant while one is scored, the host's between. */
  now(): number {
    if (this.pinned === undefined) return this.host.now();
    this.clockRead = true;
    return this.pinned;
  }

  private scoreAt(all: Candidate[], action: Action): Candidate[] {
    this.signals.reset();
    const table = this.table;
    const ctx: DecisionContext = { action, cls: actionClass(action), host: this.host, weights: this.weights, seed: this.settings.seed, all, live: liveOf(all), table };
    this.mode.filter?.(ctx);
    // The intelligence mode weighs waiting itself (earliest finish); the others are patient by rule.
    if (this.mode.name !== 'intelligence' && ctx.live.length) patience(ctx);
    this.lastWorkAhead = ctx.workAhead ? { action: action.id, ...ctx.workAhead } : undefined;
    const live = ctx.live;
    if (!live.length) return all;
    if (this.mode.name === 'cache-first' && !this.warnedLocality && !this.host.locality()) {
      this.warnedLocality = true;
      this.host.emit({ type: 'scheduler.warning', code: 'FE1004', message: 'cache-first: no InputLocality provider is published, so input locality is unknown; placing by load until one is' });
    }
    table.reset(live.length);
    this.mode.score(ctx);
    const tie = tieBreakFor(this.settings.seed, action.id);
    const ties = table.column('tie', TIE_WEIGHT);
    for (let i = 0; i < live.length; i++) {
      const c = live[i]!;
      ties[i] = tie(c.node.id);
      // The mode's factors replace the core's balance factors of the same name (free, policy),
      // so those count once, with this mode's weights; other plugins' factors still count.
      let s = table.sum(i);
      for (const k in c.factors) if (!table.has(k)) { const f = c.factors[k]!; s += f.value * f.weight; }
      c.score = s;
    }
    // Factor objects only where a decision is read: every candidate of a small farm, the
    // recorded best of a large one (decisionEvent picks the same ones).
    if (all.length <= SAMPLE_ALL) for (let i = 0; i < live.length; i++) table.materialize(live[i]!, i);
    else for (const i of topIndices(live, SAMPLE_TOP)) table.materialize(live[i]!, i);
    return all;
  }

  /** Learn from the build's events: what runs where, and how long finished actions took. */
  onEvent(ev: FesterEvent, graph: ActionGraph | undefined, at = this.host.now()): void {
    if (ev.type === 'action.started') {
      this.tracker.started(ev.action, ev.node, at);
      this.advisor?.started(ev.action, ev.node);
    }
    else if (ev.type === 'action.finished' && ev.node) {
      this.tracker.finished(ev.action, ev.node);
      this.advisor?.finished(ev.action, ev.node);
      if (ev.status !== 'success' || ev.infrastructure) return;
      this.critical.done(ev.action);
      const a = graph?.get(ev.action);
      if (!a) return;
      this.host.history.observe(ev.node, actionClass(a), ev.durationMs, a.id);
      this.model?.observe(ev.node, a, ev.durationMs);
    }
  }
}
