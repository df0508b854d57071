/**
 * Seeded tie-breaks. Two nodes with equal scores must not be ordered by accident (array order,
 * a Map's insertion order), or a replayed journal would decide differently. A hash of
 * (seed, action, node) spreads equal candidates evenly across actions yet gives the same
 * answer for the same inputs on every run and machine.
 */
export function tieBreak(seed: number, action: string, node: string): number {
  return tieBreakFor(seed, action)(node);
}

/** Node ids hashed once: a 1,000-node decision must not rehash 1,000 strings (see bench). */
const nodeHashes = new Map<string, number>();

function nodeHash(node: string): number {
  let h = nodeHashes.get(node);
  if (h === undefined) {
    h = mix(0x811c9dc5 ^ 0xff, node);
    if (nodeHashes.size > 100_000) nodeHashes.clear();
    nodeHashes.set(node, h);
  }
  return h;
}

/** The tie-breaks of one decision: (seed, action) hashed once, then one cheap mix per node. */
export function tieBreakFor(seed: number, action: string): (node: string) => number {
  // FNV-1a over the parts, then a murmur3 finaliser so nearby ids land far apart.
  const a = mix(0x811c9dc5 ^ (seed >>> 0), action);
  return (node) => {
    let h = a ^ Math.imul(nodeHash(node), 0x9e3779b1);
    h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return (h >>> 0) / 0x1_0000_0000;
  };
}

function mix(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

/** A small seeded PRNG (mulberry32) for generators and the simulator: reproducible streams. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}
