import type { Build } from '../Build.js';
import type { Action, Candidate, NodeInfo } from '../types.js';

export interface Choice {
  node?: NodeInfo;
  candidates: Candidate[];
  /** seq of the `action.scheduled` event, when one was journaled. */
  seq?: number;
  /** No node now, but one may become eligible: ask again after this many ms. */
  waitMs?: number;
  /** The filter reasons of an unplaced choice, so a repeated wait is journaled once. */
  signature?: string;
}

/** A waiting action asks again at least this often, so it does not miss a node that frees up. */
const MAX_WAIT_STEP_MS = 5000;

/**
 * Run the `schedule` waterfall over every node and take the best eligible one. Ties go to
 * the earlier node so that the same inputs always give the same decision (replayable).
 * `exclude` holds nodes that already failed this action for infrastructure reasons.
 */
export function chooseNode(build: Build, a: Action, exclude: ReadonlyMap<string, string> = new Map(), causes?: number[], previous?: string): Choice {
  const nodes = build.compiler.nodes;
  // No object spread here: this runs for every node of every decision (1,000-node farms).
  const initial: Candidate[] = nodes.map((node) => {
    const c: Candidate = { node, score: 0, factors: {} };
    const why = exclude.get(node.id);
    if (why !== undefined) c.filtered = why;
    return c;
  });
  const scored = build.hooks.schedule.call(initial, a);
  let best: Candidate | undefined;
  for (const c of scored) if (!c.filtered && (!best || c.score > best.score)) best = c;
  let waitMs: number | undefined;
  let signature: string | undefined;
  if (!best) {
    for (const c of scored) if (c.waitMs !== undefined && c.waitMs >= 0) waitMs = Math.min(waitMs ?? MAX_WAIT_STEP_MS, c.waitMs);
    // The rule of each reason (text before its first colon): a temperature that changes by a tenth is the same wait.
    signature = scored.map((c) => `${c.node.id}=${(c.filtered ?? '').split(':')[0]}`).join(';');
  }
  let seq: number | undefined;
  if ((nodes.length > 1 || scored.some((c) => c.filtered)) && (best || signature !== previous)) {
    seq = build.emit({ type: 'action.scheduled', action: a.id, node: best?.node.id ?? '', candidates: scored.map((c) => ({ node: c.node.id, score: c.score, ...(c.filtered ? { filtered: c.filtered } : {}) })) }, causes).seq;
  }
  return { ...(best ? { node: best.node } : {}), candidates: scored, ...(seq ? { seq } : {}), ...(waitMs !== undefined ? { waitMs } : {}), ...(signature !== undefined ? { signature } : {}) };
}
