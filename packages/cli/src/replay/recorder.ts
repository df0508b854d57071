import type { Build, Candidate, Compiler, FesterPlugin, NodeInfo } from '@fester/core';
import { INPUT_LOCALITY, MODE_STAGE, RECORD_STAGE, SCHEDULER_HISTORY, THERMAL_VIEW, type History, type InputLocality, type ThermalViewLike } from '@fester/plugin-scheduler';
import type { NodeFacts, ReplayInput, ReplayNode } from './inputFormat.js';

export const RECORDER = 'fester:replay';

/**
 * Records what the scheduler's mode reads besides the journal's own timeline, so `fester
 * replay` can feed a decision back through the `schedule` hook: the candidates as they reach
 * the mode (node facts, earlier filters and factors), the running counts the core knows, the
 * thermal readings and input locality the mode asked for, and — once per session — the
 * runtime history it started from. One `plugin.event` (name `input`) right after each
 * `schedule.decision`. Arrivals and completions are not copied: they are already journaled.
 */
export function replayRecorder(): FesterPlugin {
  return {
    name: RECORDER,
    apply(compiler: Compiler) {
      let historyRecorded = false;
      // Facts as last recorded per node (JSON): a record carries a node's facts only when they changed.
      const lastFacts = new Map<string, string>();
      compiler.hooks.build.tap(RECORDER, (build) => {
        let pending: { input: ReplayInput; decided: boolean } | undefined;
        // The mode reads these through global symbols: wrap them to note every answer it got.
        const restore = wrapObservers(compiler, () => pending?.input);
        build.hooks.schedule.tap({ name: RECORDER, stage: MODE_STAGE - 1 }, (cands, action) => {
          pending = { input: inputOf(compiler, action.id, cands, historyRecorded ? undefined : historyOf(compiler)), decided: false };
          return cands;
        });
        build.hooks.event.tap(RECORDER, (ev) => {
          if (ev.type === 'schedule.decision' && pending && ev.action === pending.input.action) pending.decided = true;
        });
        build.hooks.schedule.tap({ name: RECORDER, stage: RECORD_STAGE + 1 }, (cands) => {
          const p = pending;
          pending = undefined;
          if (!p?.decided) return cands;
          if (p.input.history) historyRecorded = true;
          for (const n of p.input.nodes) {
            const text = JSON.stringify(n.facts);
            if (lastFacts.get(n.id) === text) delete n.facts;
            else lastFacts.set(n.id, text);
          }
          emitInput(build, p.input);
          return cands;
        });
        compiler.hooks.afterBuild.tapPromise(RECORDER, async (b) => { if (b === build) restore(); });
      });
    },
  };
}

function emitInput(build: Build, input: ReplayInput): void {
  build.emit({ type: 'plugin.event', plugin: RECORDER, name: 'input', data: input as unknown as Record<string, unknown> });
}

/** The mode's view of one placement before it runs (stage MODE_STAGE − 1). */
function inputOf(compiler: Compiler, action: string, cands: readonly Candidate[], history: History | undefined): ReplayInput {
  const nodes: ReplayNode[] = cands.map((c) => ({
    id: c.node.id,
    facts: factsOf(c.node),
    ...(c.filtered ? { filtered: c.filtered } : {}),
    ...(c.waitMs !== undefined ? { waitMs: c.waitMs } : {}),
    factors: structuredClone(c.factors),
    coreRunning: compiler.running.get(c.node.id) ?? 0,
  }));
  return {
    action, now: Date.now(), nodes, thermal: {}, locality: {},
    ...(history ? { history: structuredClone(history.data), config: structuredClone(compiler.config.scheduler ?? {}) } : {}),
  };
}

/** The NodeInfo fields a mode or filter reads (not the clock fields, which only the coordinator uses). */
function factsOf(n: NodeInfo): NodeFacts {
  const { id, kind, arch, slots, targets, labels, state, stateReason, policy, production, cores, load, temps, running, queue } = n;
  return structuredClone({ id, kind, arch, slots, targets, labels, state, stateReason, policy, production, cores, load, temps, running, queue, ...(n.toolchains ? { toolchainTargets: Object.keys(n.toolchains) } : {}) });
}

function historyOf(compiler: Compiler): History | undefined {
  return (compiler as unknown as Record<symbol, History | undefined>)[SCHEDULER_HISTORY];
}

/**
 * Replace the published thermal view and locality provider by wrappers that answer the same
 * and note the answers into the current input; returns the undo. Absent ones stay absent.
 */
function wrapObservers(compiler: Compiler, current: () => ReplayInput | undefined): () => void {
  const target = compiler as unknown as Record<symbol, unknown>;
  const view = target[THERMAL_VIEW] as ThermalViewLike | undefined;
  const loc = target[INPUT_LOCALITY] as InputLocality | undefined;
  if (view) {
    const wrapped: ThermalViewLike = {
      maxCelsius: (id) => view.maxCelsius(id),
      reading(node) {
        const r = view.reading(node);
        const input = current();
        if (input) input.thermal[node.id] = { ...r, maxCelsius: view.maxCelsius(node.id) };
        return r;
      },
    };
    Object.defineProperty(compiler, THERMAL_VIEW, { value: wrapped, configurable: true });
  }
  if (loc) {
    const wrapped: InputLocality = {
      has(node, digests) {
        const v = loc.has(node, digests);
        const input = current();
        if (input) input.locality[node] = { share: v, digests: digests.length };
        return v;
      },
    };
    Object.defineProperty(compiler, INPUT_LOCALITY, { value: wrapped, configurable: true, writable: true });
  }
  return () => {
    if (view && target[THERMAL_VIEW] !== view) Object.defineProperty(compiler, THERMAL_VIEW, { value: view, configurable: true });
    if (loc && target[INPUT_LOCALITY] !== loc) Object.defineProperty(compiler, INPUT_LOCALITY, { value: loc, configurable: true, writable: true });
  };
}
