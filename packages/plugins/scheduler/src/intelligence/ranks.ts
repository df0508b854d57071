import type { Action, ActionGraph } from '@fester/core';

/**
 * HEFT's upward rank: an action's mean runtime plus the largest rank among the actions that
 * use its outputs — the predicted length of the longest path from its start to the end of the
 * build. Starting the highest-ranked ready action first shortens the critical path. Computed
 * iteratively in reverse topological order (10k-action graphs must not overflow the stack).
 */
export function upwardRanks(graph: ActionGraph, weight: (a: Action) => number): Map<string, number> {
  const ranks = new Map<string, number>();
  const pending = new Map<string, number>();
  const ready: Action[] = [];
  for (const a of graph.actions) {
    const users = graph.usersOf(a).length;
    pending.set(a.id, users);
    if (users === 0) ready.push(a);
  }
  while (ready.length) {
    const a = ready.pop()!;
    let tail = 0;
    for (const u of graph.usersOf(a)) tail = Math.max(tail, ranks.get(u.id) ?? 0);
    ranks.set(a.id, weight(a) + tail);
    for (const d of graph.depsOf(a)) {
      const left = pending.get(d.id)! - 1;
      pending.set(d.id, left);
      if (left === 0) ready.push(d);
    }
  }
  return ranks;
}
