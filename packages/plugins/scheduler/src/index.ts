import type { Build, EventPayload, FesterPlugin } from '@fester/core';
import { historyPath, loadHistory, saveHistory, type LoadedHistory } from './history/historyFile.js';
import { History } from './history/History.js';
import { RunningTracker, type SchedulerHost } from './host.js';
import { SCHEDULER_ADVISOR } from './intelligence/Advisor.js';
import { closeLoser, proposeDuplicates } from './intelligence/speculate.js';
import { LearnedLocality } from './learnedLocality.js';
import { inputDigestsOf, inputLocalityOf } from './locality.js';
import { parseOptions, resolveSettings, type SchedulerOptions } from './options.js';
import { NAME, Scheduler } from './Scheduler.js';
import { thermalViewOf } from './thermalSignals.js';

/** Where the live History is published on the Compiler, for in-process metrics. */
export const SCHEDULER_HISTORY = Symbol.for('fester.scheduler.history');

/** The live History a scheduler plugin published on a Compiler, if one is applied. */
export function historyOf(compiler: object): History | undefined {
  return (compiler as Record<symbol, History | undefined>)[SCHEDULER_HISTORY];
}

/**
 * The scheduler: one mode (unified, thermal, cache-first, target-isolated, intelligence)
 * scoring the eligible nodes of every placement on the `schedule` hook, a `schedule.decision`
 * in the journal for each, and a runtime history per node × action class that outlives the
 * process. The CLI applies it by default; `scheduler.mode` in festerconfig or `--mode` picks
 * the mode.
 */
export default function scheduler(options: SchedulerOptions = {}): FesterPlugin {
  const opts = parseOptions(options);
  return {
    name: NAME,
    apply(compiler) {
      const settings = resolveSettings(opts, compiler.config.scheduler);
      const now = opts.clock ?? Date.now;
      const file = opts.history === false ? undefined : opts.history?.file ?? historyPath(compiler.cacheDir);
      const alpha = opts.history === false ? undefined : opts.history?.alpha;
      // Loaded at the first placement: commands that never schedule (explain, cache) read nothing.
      let loaded: LoadedHistory | undefined;
      const history = () => (loaded ??= file ? loadHistory(file, alpha) : { history: new History(undefined, alpha) }).history;
      let current: Build | undefined;
      const emit = (p: EventPayload) => (current ? current.emit(p) : compiler.emit(p)).seq;
      const tracker = new RunningTracker();
      // What the farm client publishes wins; without it, locality is learned from events.
      const learned = new LearnedLocality((id) => { const a = current?.graph?.get(id); return a ? inputDigestsOf(a, current) : []; });
      const host: SchedulerHost = {
        now,
        running: (n) => Math.max(n.running ?? 0, compiler.running.get(n.id) ?? 0, tracker.count(n.id)),
        emit,
        get history() { return history(); },
        locality: () => inputLocalityOf(compiler) ?? learned,
        thermal: () => thermalViewOf(compiler),
        graph: () => current?.graph,
        workAhead: (id) => {
          const g = current?.graph;
          // Whole ms, as journaled: replay must compare the same numbers.
          return g ? { remainingMs: Math.round(core.critical.remainingMs(g)), tailMs: Math.round(core.critical.tailMs(g, id)) } : undefined;
        },
        inputDigests: (a) => inputDigestsOf(a, current),
        canDefer: opts.canDefer,
      };
      const core = new Scheduler(settings, host, tracker);
      if (core.advisor) Object.defineProperty(compiler, SCHEDULER_ADVISOR, { value: core.advisor, configurable: true });
      Object.defineProperty(compiler, SCHEDULER_HISTORY, { get: history, configurable: true });

      compiler.hooks.build.tap(NAME, (build) => {
        current = build;
        core.tap(build.hooks.schedule);
        // The run queue starts the longest predicted remaining chain first (HEFT's order): the
        // intelligence mode's model predicts it, the other modes the runtime history.
        const advisor = core.advisor;
        if (advisor) build.hooks.prioritize.tap(NAME, (p, a) => p + advisor.priority(a.id));
        else if (opts.criticalPath) build.hooks.prioritize.tap(NAME, (p, a) => p + core.critical.priority(build.graph, a.id));
        // …and idle nodes take second copies of stragglers (the runner keeps the first success).
        if (advisor) build.hooks.speculate.tap(NAME, (proposals, req) => proposeDuplicates(advisor, proposals, req));
        let warned = false;
        build.hooks.event.tap(NAME, (ev) => {
          if (!warned && ev.type === 'action.queued') {
            warned = true;
            history();
            if (loaded?.warning) { const w = loaded.warning; loaded.warning = undefined; build.emit({ type: 'scheduler.warning', ...w }); }
          }
          learned.onEvent(ev);
          // A run starts when its event says (replay reads the same number); a simulator's clock is its own.
          core.onEvent(ev, build.graph, opts.clock ? undefined : ev.ts);
          closeLoser(ev, tracker, core.advisor);
        });
      });
      compiler.hooks.afterBuild.tapPromise(NAME, async (build) => {
        if (file && loaded) {
          try { saveHistory(file, loaded.history); } catch (e) {
            build.emit({ type: 'scheduler.warning', code: 'FE1003', message: `cannot save the scheduler history to ${file}: ${(e as Error).message}`, file });
          }
        }
        if (current === build) current = undefined;
      });
    },
  };
}

export { Scheduler, NAME, MODE_STAGE, RECORD_STAGE, type SchedulerSettings } from './Scheduler.js';
export { parseOptions, resolveSettings, type SchedulerOptions } from './options.js';
export { MODE_NAMES, checkMode, BUSY_REASON, POOL_LABEL, type ModeName, type SchedulingMode, type DecisionContext } from './modes/index.js';
export { History, type HistoryData, type RuntimeStats, type ErrorStats, type Estimate } from './history/History.js';
export { historyPath, loadHistory, saveHistory, predictionError } from './history/historyFile.js';
export { actionClass } from './history/actionClass.js';
export { LearnedLocality } from './learnedLocality.js';
export { INPUT_LOCALITY, provideInputLocality, inputLocalityOf, inputDigestsOf, type InputLocality } from './locality.js';
export { SCHEDULER_ADVISOR, schedulerAdvisorOf, type SchedulerAdvisor, type Straggler, type SpeculationProposal } from './intelligence/Advisor.js';
export { RuntimeModel } from './intelligence/RuntimeModel.js';
export { proposeDuplicates, closeLoser } from './intelligence/speculate.js';
export { endedLoser } from '@fester/core';
export { upwardRanks } from './intelligence/ranks.js';
export { RunningTracker, type SchedulerHost, type RunningAction } from './host.js';
export { decisionEvent, lostBecause, pick } from './decision.js';
export { tieBreak, rng } from './tieBreak.js';
export { normalizeArch, targetArch } from './arch.js';
export { THERMAL_VIEW, type ThermalViewLike } from './thermalSignals.js';
