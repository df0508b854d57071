import type { Action, ActionGraph, BuildHooks, Candidate, FesterEvent } from '@fester/core';
import { decisionEvent } from './decision.js';
import { actionClass } from './history/actionClass.js';
import type { RunningTracker, SchedulerHost } from './host.js';
import { IntelligenceAdvisor } from './intelligence/Advisor.js';
import { RuntimeModel } from './intelligence/RuntimeModel.js';
import { cacheFirstMode, intelligenceMode, targetIsolatedMode, thermalMode, unifiedMode, type DecisionContext, type ModeName, type SchedulingMode } from './modes/index.js';
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

  constructor(readonly settings: SchedulerSettings, readonly host: SchedulerHost, readonly tracker: RunningTracker) {
    const signals = (this.signals = new ThermalSignals(() => host.thermal(), settings.maxCelsius, () => host.now()));
    switch (settings.mode) {
      case 'unified': this.mode = unifiedMode(); break;
      case 'thermal': this.mode = thermalMode(signals); break;
      case 'cache-first': this.mode = cacheFirstMode(); break;
      case 'target-isolated': this.mode = targetIsolatedMode(settings.pools); break;
      case 'intelligence': {
        this.model = new RuntimeModel(host.history);
        this.advisor = new IntelligenceAdvisor(this.model, tracker, { now: () => host.now(), graph: () => host.graph(), emit: (p) => host.emit(p) });
        this.mode = intelligenceMode(this.model, this.advisor, signals);
        break;
      }
    }
    this.weights = { ...this.mode.weights, ...settings.weights };
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
            this.host.emit(decisionEvent(action.id, actionClass(action), this.mode.name, this.settings.seed, all));
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
    this.signals.reset();
    const ctx: DecisionContext = { action, cls: actionClass(action), host: this.host, weights: this.weights, seed: this.settings.seed, all, live: all.filter((c) => !c.filtered) };
    this.mode.filter?.(ctx);
    if (!ctx.live.length) return all;
    if (this.mode.name === 'cache-first' && !this.warnedLocality && !this.host.locality()) {
      this.warnedLocality = true;
      this.host.emit({ type: 'scheduler.warning', code: 'FE1004', message: 'cache-first: no InputLocality provider is published, so input locality is unknown; placing by load until one is' });
    }
    this.mode.score(ctx);
    const tie = tieBreakFor(this.settings.seed, action.id);
    for (const c of ctx.live) {
      c.factors.tie = { value: tie(c.node.id), weight: TIE_WEIGHT };
      // Recomputed from the factors, so the core's own balance factors (free, policy) are
      // counted once, with this mode's weights, and other plugins' factors still count.
      let s = 0;
      for (const k in c.factors) { const f = c.factors[k]!; s += f.value * f.weight; }
      c.score = s;
    }
    return all;
  }

  /** Learn from the build's events: what runs where, and how long finished actions took. */
  onEvent(ev: FesterEvent, graph: ActionGraph | undefined): void {
    if (ev.type === 'action.started') {
      this.tracker.started(ev.action, ev.node, this.host.now());
      this.advisor?.started(ev.action, ev.node);
    }
    else if (ev.type === 'action.finished' && ev.node) {
      this.tracker.finished(ev.action, ev.node);
      this.advisor?.finished(ev.action, ev.node);
      if (ev.status !== 'success' || ev.infrastructure) return;
      const a = graph?.get(ev.action);
      if (!a) return;
      this.host.history.observe(ev.node, actionClass(a), ev.durationMs);
      this.model?.observe(ev.node, a, ev.durationMs);
    }
  }
}
