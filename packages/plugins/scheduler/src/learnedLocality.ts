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
  /** Nodes by a small index, so a decision counts holders in a typed array, not a Map. */
  private readonly index = new Map<string, number>();
  /** digest → indices of the nodes holding it: a decision looks up its few digests once, not once per node. */
  private readonly holders = new Map<string, Set<number>>();
  private readonly count: number[] = [];
  private memo?: readonly string[];
  private shares = new Int32Array(64);
  /** Indices whose share is not 0, to clear for the next decision. */
  private touched = new Int32Array(64);
  private nTouched = 0;
  private readonly bump = (n: number) => {
    if (this.shares[n]++ !== 0) return;
    if (this.nTouched === this.touched.length) { const t = new Int32Array(this.touched.length * 2); t.set(this.touched); this.touched = t; }
    this.touched[this.nTouched++] = n;
  };

  constructor(private readonly digestsOf: (actionId: string) => readonly string[]) {}

  has(nodeId: string, digests: readonly string[]): number {
    if (!digests.length) return 0;
    // Every candidate of one decision asks about the same array: count holders once for all.
    if (this.memo !== digests) {
      for (let k = 0; k < this.nTouched; k++) this.shares[this.touched[k]!] = 0;
      this.nTouched = 0;
      for (const d of digests) this.holders.get(d)?.forEach(this.bump);
      this.memo = digests;
    }
    const i = this.index.get(nodeId);
    return i === undefined ? 0 : this.shares[i]! / digests.length;
  }

  onEvent(ev: FesterEvent): void {
    if (ev.type === 'action.started') this.add(ev.node, this.digestsOf(ev.action));
    else if (ev.type === 'action.finished' && ev.node && ev.status === 'success') this.add(ev.node, (ev.outputs ?? []).map((o) => o.digest));
  }

  private add(node: string, digests: readonly string[]): void {
    if (!digests.length) return;
    this.memo = undefined;
    let i = this.index.get(node);
    if (i === undefined) {
      this.index.set(node, (i = this.index.size));
      this.count[i] = 0;
      if (i >= this.shares.length) { const grown = new Int32Array(this.shares.length * 2); grown.set(this.shares); this.shares = grown; }
    }
    for (const d of digests) {
      let h = this.holders.get(d);
      if (!h) this.holders.set(d, (h = new Set()));
      if (h.has(i)) continue;
      h.add(i);
      this.count[i]!++;
    }
    // A node's CAS is capped and LRU; past the cap this forgets the node's blobs wholesale.
    if (this.count[i]! > MAX_BLOBS_PER_NODE) {
      for (const [d, h] of this.holders) { h.delete(i); if (!h.size) this.holders.delete(d); }
      this.count[i] = 0;
    }
  }
}
