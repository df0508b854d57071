import type { Build } from '../Build.js';
import type { Action, Candidate, NodeInfo } from '../types.js';
import { CandidatePool } from './candidatePool.js';
import { sampleCandidates } from '../scheduler/sample.js';

export interface Choice {
  node?: NodeInfo;
  /** Valid until the build's next decision (their objects are reused, see CandidatePool). */
  candidates: Candidate[];
  /** seq of the `action.scheduled` event, when one was journaled. */
  seq?: number;
  /** No node now, but one may become eligible: ask again after this many ms. */
  waitMs?: number;
  /** The filter reasons of an unplaced choice, so a repeated wait is journaled once. */
  signature?: string;
}

const pools = new WeakMap<Build, CandidatePool>();

/** A candidate per node of the farm, for one call of the build's `schedule` hook. */
export function candidatesFor(build: Build, exclude: ReadonlyMap<string, string> = new Map()): Candidate[] {
  let pool = pools.get(build);
  if (!pool) pools.set(build, (pool = new CandidatePool()));
  return pool.take(build.compiler.nodes, exclude);
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
  const scored = build.hooks.schedule.call(candidatesFor(build, exclude), a);
  let best: Candidate | undefined;
  // Index loops: on a 1,000-node decision an array iterator that is not optimised away allocates per step.
  for (let i = 0; i < scored.length; i++) { const c = scored[i]!; if (!c.filtered && (!best || c.score > best.score)) best = c; }
  let waitMs: number | undefined;
  let signature: string | undefined;
  if (!best) {
    for (const c of scored) if (c.waitMs !== undefined && c.waitMs >= 0) waitMs = Math.min(waitMs ?? MAX_WAIT_STEP_MS, c.waitMs);
    // The rule of each reason (text before its first colon): a temperature that changes by a tenth is the same wait.
    signature = scored.map((c) => `${c.node.id}=${(c.filtered ?? '').split(':')[0]}`).join(';');
  }
  let seq: number | undefined;
  if ((nodes.length > 1 || scored.some((c) => c.filtered)) && (best || signature !== previous)) {
    seq = build.emit({ type: 'action.scheduled', action: a.id, node: best?.node.id ?? '', ...scheduledCandidates(scored, best) }, causes).seq;
  }
  return { ...(best ? { node: best.node } : {}), candidates: scored, ...(seq ? { seq } : {}), ...(waitMs !== undefined ? { waitMs } : {}), ...(signature !== undefined ? { signature } : {}) };
}

/** The candidates `action.scheduled` lists (the `schedule.decision` record keeps their factors). */
function scheduledCandidates(scored: readonly Candidate[], best: Candidate | undefined): { candidates: { node: string; score: number; filtered?: string }[]; omitted?: number } {
  const entry = (c: Candidate) => (c.filtered ? { node: c.node.id, score: c.score, filtered: c.filtered } : { node: c.node.id, score: c.score });
  const { kept, omitted } = sampleCandidates(scored, best);
  return { candidates: kept.map(entry), ...(omitted ? { omitted: scored.length - kept.length } : {}) };
}
