import type { FesterEvent } from '@fester/core';
import type { InputLocality } from './locality.js';

/** Blobs remembered per node; beyond this the oldest are forgotten (agents' CAS is LRU-capped too). */
const MAX_BLOBS_PER_NODE = 200_000;

/**
 * Input locality learned from the build's own events, for when no farm client publishes what
 * each agent's CAS holds. Inputs travel once per node and outputs are made there, so a node
 * holds every input of the actions it ran and every output it produced (until its CAS evicts
 * them, which this cannot see: it is a good guess, not a fact). Shares are by blob count.
 */
export class LearnedLocality implements InputLocality {
  private readonly held = new Map<string, Set<string>>();

  constructor(private readonly digestsOf: (actionId: string) => readonly string[]) {}

  has(nodeId: string, digests: readonly string[]): number {
    const h = this.held.get(nodeId);
    if (!h || !digests.length) return 0;
    let n = 0;
    for (const d of digests) if (h.has(d)) n++;
    return n / digests.length;
  }

  onEvent(ev: FesterEvent): void {
    if (ev.type === 'action.started') this.add(ev.node, this.digestsOf(ev.action));
    else if (ev.type === 'action.finished' && ev.node && ev.status === 'success') this.add(ev.node, (ev.outputs ?? []).map((o) => o.digest));
  }

  private add(node: string, digests: readonly string[]): void {
    let h = this.held.get(node);
    if (!h) this.held.set(node, (h = new Set()));
    for (const d of digests) {
      // Re-inserting moves a blob to the young end of the Set's order.
      h.delete(d);
      h.add(d);
    }
    if (h.size > MAX_BLOBS_PER_NODE) {
      const drop = h.size - MAX_BLOBS_PER_NODE;
      let i = 0;
      for (const d of h) { if (i++ >= drop) break; h.delete(d); }
    }
  }
}

