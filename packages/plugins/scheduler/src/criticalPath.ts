import type { Action, ActionGraph } from '@fester/core';
import { actionClass } from './history/actionClass.js';
import type { History } from './history/History.js';
import { upwardRanks } from './intelligence/ranks.js';

/** Runtimes assumed for an action nothing is known about: a link outlasts a compile. */
const GUESS_MS: Readonly<Record<string, number>> = { compile: 1000, link: 3000, archive: 300, custom: 1000 };

/**
 * Critical path first, for every mode: when more actions are ready than slots are free, the
 * one with the longest predicted chain to the end of the build (HEFT's upward rank) starts
 * first. Each action weighs its own past runtime (History.actionMs), else its class's farm
 * mean, else a guess by kind — so a project built before starts its slowest translation units
 * and the links that wait for them early, instead of finding them at the end (measured on the
 * simulator's 50-node farm, docs/scheduler.md).
 */
export class CriticalPath {
  private ranks?: { graph: ActionGraph; map: Map<string, number>; weights: Map<string, number>; at: number; left: number };
  private readonly finished = new Set<string>();

  /**
   * `weight`: an action's predicted runtime; `learned`: a count that grows as the predictions
   * improve (ranks are recomputed as it does). By default both come from a runtime history.
   */
  constructor(private readonly weight: (a: Action) => number, private readonly learned: () => number) {}

  /** Ranks from a runtime history: each action's own runtime, else its class mean, else a guess. */
  static fromHistory(history: () => History): CriticalPath {
    return new CriticalPath((a) => historyWeight(history(), a), () => history().observations);
  }

  priority(graph: ActionGraph | undefined, actionId: string): number {
    if (!graph) return 0;
    return this.current(graph).map.get(actionId) ?? 0;
  }

  /** The predicted chain after an action (its rank without itself), in mean-node ms. */
  tailMs(graph: ActionGraph, actionId: string): number {
    const r = this.current(graph);
    return Math.max(0, (r.map.get(actionId) ?? 0) - (r.weights.get(actionId) ?? 0));
  }

  /** Predicted work of the actions not finished yet, in mean-node ms. */
  remainingMs(graph: ActionGraph): number {
    return Math.max(0, this.current(graph).left);
  }

  /** A run finished: its work is no longer ahead. */
  done(actionId: string): void {
    if (this.finished.has(actionId)) return;
    this.finished.add(actionId);
    const w = this.ranks?.weights.get(actionId);
    if (this.ranks && w !== undefined) this.ranks.left -= w;
  }

  private current(graph: ActionGraph) {
    const learned = this.learned();
    // Ranks move with what is learned: recompute as it grows, geometrically less often (O(V+E) each).
    if (!this.ranks || this.ranks.graph !== graph || learned >= this.ranks.at * 1.25 + 20) {
      if (this.ranks?.graph !== graph) this.finished.clear();
      const weights = new Map<string, number>();
      let left = 0;
      const map = upwardRanks(graph, (a) => {
        const w = this.weight(a);
        weights.set(a.id, w);
        if (!this.finished.has(a.id)) left += w;
        return w;
      });
      this.ranks = { graph, map, weights, at: learned, left };
    }
    return this.ranks;
  }
}

function historyWeight(h: History, a: Action): number {
  const own = h.actionMs(a.id);
  if (own !== undefined) return own;
  const cls = h.data.classes[actionClass(a)];
  return cls ? cls.mean : GUESS_MS[a.kind] ?? 1000;
}
