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
        if (!balanceOnly(c.factors)) c.factors = {};
      }
      const why = exclude.get(node.id);
      if (why !== undefined) { c.filtered = why; c.factors = {}; }
      out[i] = c;
    }
    return out;
  }
}

/**
 * A candidate's factors object can be kept for the next decision when it holds only the core's
 * balance factors: the balance scorer writes the same keys again for the same node snapshot
 * (its policy is part of the snapshot), and a candidate some filter refuses before it gets a
 * fresh object there. Keeping it spares an allocation per node per decision — and a
 * delete costs more than the allocation it saves.
 */
function balanceOnly(f: Candidate['factors']): boolean {
  for (const k in f) if (k !== 'free' && k !== 'policy') return false;
  return true;
}
