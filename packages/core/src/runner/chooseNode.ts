import type { Build } from '../Build.js';
import type { Action, Candidate, NodeInfo } from '../types.js';

/**
 * Run the `schedule` waterfall over every node and take the best eligible one. Ties go to
 * the earlier node so that the same inputs always give the same decision (replayable).
 */
export function chooseNode(build: Build, a: Action): NodeInfo | undefined {
  const nodes = build.compiler.nodes;
  const initial: Candidate[] = nodes.map((node) => ({ node, score: 0, factors: {} }));
  const scored = build.hooks.schedule.call(initial, a);
  let best: Candidate | undefined;
  for (const c of scored) if (!c.filtered && (!best || c.score > best.score)) best = c;
  if (nodes.length > 1 || scored.some((c) => c.filtered)) {
    build.emit({ type: 'action.scheduled', action: a.id, node: best?.node.id ?? '', candidates: scored.map((c) => ({ node: c.node.id, score: c.score, ...(c.filtered ? { filtered: c.filtered } : {}) })) });
  }
  return best?.node;
}
