import type { Build, Compiler, FesterPlugin } from '@fester/core';
import { INPUT_LOCALITY, MODE_STAGE, RECORD_STAGE, SCHEDULER_HISTORY, THERMAL_VIEW, type History, type InputLocality, type ThermalViewLike } from '@fester/plugin-scheduler';
import type { ReplayInput } from './inputFormat.js';
import { LastRecorded, type Pending } from './lastRecorded.js';

export const RECORDER = 'fester:replay';

/**
 * Records what the scheduler's mode reads besides the journal's own timeline, so `fester
 * replay` can feed a decision back through the `schedule` hook: the candidates as they reach
 * the mode (node facts, earlier filters and factors), the running counts the core knows, the
 * thermal readings and input locality the mode asked for, and — once per session — the
 * runtime history it started from, each as changes since the node's previous record (see
 * LastRecorded). One `plugin.event` (name `input`) right after each
 * `schedule.decision`. Arrivals and completions are not copied: they are already journaled.
 */
export function replayRecorder(): FesterPlugin {
  return {
    name: RECORDER,
    apply(compiler: Compiler) {
      let historyRecorded = false;
      // What the session's records said last, per node: a record carries only what changed.
      const last = new LastRecorded();
      compiler.hooks.build.tap(RECORDER, (build) => {
        let pending: Pending | undefined;
        // The mode reads these through global symbols: wrap them to note every answer it got.
        const restore = wrapObservers(compiler, () => pending, last);
        build.hooks.schedule.tap({ name: RECORDER, stage: MODE_STAGE - 1 }, (cands, action) => {
          pending = last.begin(compiler, action.id, cands, historyRecorded ? undefined : historyOf(compiler));
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
          last.commit(p);
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

function historyOf(compiler: Compiler): History | undefined {
  return (compiler as unknown as Record<symbol, History | undefined>)[SCHEDULER_HISTORY];
}

/**
 * Replace the published thermal view and locality provider by wrappers that answer the same
 * and note the answers into the current input; returns the undo. Absent ones stay absent.
 */
function wrapObservers(compiler: Compiler, current: () => Pending | undefined, last: LastRecorded): () => void {
  const target = compiler as unknown as Record<symbol, unknown>;
  const view = target[THERMAL_VIEW] as ThermalViewLike | undefined;
  const loc = target[INPUT_LOCALITY] as InputLocality | undefined;
  if (view) {
    const wrapped: ThermalViewLike = {
      maxCelsius: (id) => view.maxCelsius(id),
      reading(node) {
        const r = view.reading(node);
        const p = current();
        // Field by field (the view may hand out its own live record), and only when changed.
        if (p) last.noteThermal(p, node.id, r, view.maxCelsius(node.id));
        return r;
      },
    };
    Object.defineProperty(compiler, THERMAL_VIEW, { value: wrapped, configurable: true });
  }
  if (loc) {
    const wrapped: InputLocality = {
      has(node, digests) {
        const v = loc.has(node, digests);
        const p = current();
        if (p) last.noteLocality(p, node, v, digests.length);
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
