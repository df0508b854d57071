import type { Candidate, NodeInfo } from '../types.js';

/**
 * The candidates of a build's decisions, one object per node snapshot, reset and reused from
 * one decision to the next. A 1,000-node farm otherwise allocates a candidate per node per
 * placement, and that garbage — not the scoring — set the 99th percentile of a decision
 * (docs/scheduler.md). A heartbeat replaces a node's snapshot, and with it its candidate.
 *
 * The price: a candidate is valid until the build's next decision. Hooks and callers read what
 * they need during the call (the decision record, `action.scheduled`) and keep copies, never
 * the objects.
 */
export class CandidatePool {
  private readonly byNode = new WeakMap<NodeInfo, Candidate>();

  take(nodes: readonly NodeInfo[], exclude: ReadonlyMap<string, string>): Candidate[] {
    const out: Candidate[] = new Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      let c = this.byNode.get(node);
      // Every field declared up front, so setting a filter later does not reshape the object.
      if (!c) this.byNode.set(node, (c = { node, filtered: undefined, waitMs: undefined, score: 0, factors: {} }));
      else {
        c.filtered = undefined;
        c.waitMs = undefined;
        c.score = 0;
        c.factors = {};
      }
      const why = exclude.get(node.id);
      if (why !== undefined) c.filtered = why;
      out[i] = c;
    }
    return out;
  }
}
