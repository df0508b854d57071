import type { Build } from '../Build.js';
import type { Action, Candidate, NodeInfo } from '../types.js';

export interface Choice {
  node?: NodeInfo;
  candidates: Candidate[];
  /** seq of the `action.scheduled` event, when one was journaled. */
  seq?: number;
}

/**
 * Run the `schedule` waterfall over every node and take the best eligible one. Ties go to
 * the earlier node so that the same inputs always give the same decision (replayable).
 * `exclude` holds nodes that already failed this action for infrastructure reasons.
 */
export function chooseNode(build: Build, a: Action, exclude: ReadonlyMap<string, string> = new Map(), causes?: number[]): Choice {
  const nodes = build.compiler.nodes;
  const initial: Candidate[] = nodes.map((node) => ({ node, score: 0, factors: {}, ...(exclude.has(node.id) ? { filtered: exclude.get(node.id) } : {}) }));
  const scored = build.hooks.schedule.call(initial, a);
  let best: Candidate | undefined;
  for (const c of scored) if (!c.filtered && (!best || c.score > best.score)) best = c;
  let seq: number | undefined;
  if (nodes.length > 1 || scored.some((c) => c.filtered)) {
    seq = build.emit({ type: 'action.scheduled', action: a.id, node: best?.node.id ?? '', candidates: scored.map((c) => ({ node: c.node.id, score: c.score, ...(c.filtered ? { filtered: c.filtered } : {}) })) }, causes).seq;
  }
  return { ...(best ? { node: best.node } : {}), candidates: scored, ...(seq ? { seq } : {}) };
}
