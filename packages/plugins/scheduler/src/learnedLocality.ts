import type { FesterEvent } from '@fester/core';
import type { InputLocality } from './locality.js';

/** Blobs remembered per node; beyond this the node's are forgotten (agents' CAS is LRU-capped too). */
const MAX_BLOBS_PER_NODE = 200_000;

/**
 * Input locality learned from the build's own events, for when no farm client publishes what
 * each agent's CAS holds. Inputs travel once per node and outputs are made there, so a node
 * holds every input of the actions it ran and every output it produced (until its CAS evicts
 * them, which this cannot see: it is a good guess, not a fact). Shares are by blob count.
 */
export class LearnedLocality implements InputLocality {
  /** digest → nodes holding it: a decision looks up its few digests once, not once per node. */
  private readonly holders = new Map<string, Set<string>>();
  private readonly count = new Map<string, number>();
  private memo?: { digests: readonly string[]; share: Map<string, number> };

  constructor(private readonly digestsOf: (actionId: string) => readonly string[]) {}

  has(nodeId: string, digests: readonly string[]): number {
    if (!digests.length) return 0;
    // Every candidate of one decision asks about the same array: count holders once for all.
    if (this.memo?.digests !== digests) {
      const share = new Map<string, number>();
      for (const d of digests) for (const n of this.holders.get(d) ?? []) share.set(n, (share.get(n) ?? 0) + 1);
      this.memo = { digests, share };
    }
    return (this.memo.share.get(nodeId) ?? 0) / digests.length;
  }

  onEvent(ev: FesterEvent): void {
    if (ev.type === 'action.started') this.add(ev.node, this.digestsOf(ev.action));
    else if (ev.type === 'action.finished' && ev.node && ev.status === 'success') this.add(ev.node, (ev.outputs ?? []).map((o) => o.digest));
  }

  private add(node: string, digests: readonly string[]): void {
    if (!digests.length) return;
    this.memo = undefined;
    for (const d of digests) {
      let h = this.holders.get(d);
      if (!h) this.holders.set(d, (h = new Set()));
      if (h.has(node)) continue;
      h.add(node);
      this.count.set(node, (this.count.get(node) ?? 0) + 1);
    }
    // A node's CAS is capped and LRU; past the cap this forgets the node's blobs wholesale.
    if ((this.count.get(node) ?? 0) > MAX_BLOBS_PER_NODE) {
      for (const [d, h] of this.holders) { h.delete(node); if (!h.size) this.holders.delete(d); }
      this.count.set(node, 0);
    }
  }
}
