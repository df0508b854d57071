import type { CacheStoreRequest } from '../hooks.js';

/**
 * How long a tier's data lives. A `volatile` tier (RAM, tmpfs) loses everything on a reboot,
 * so it may only buffer writes that a `persistent` tier receives behind the sync barrier.
 */
export type Durability = 'volatile' | 'persistent';

export interface TierStats {
  /** Action entries (compile manifests included). */
  entries: number;
  /** Output blobs. */
  blobs: number;
  /** Bytes on disk (blobs and entries). */
  bytes: number;
  /** Configured size limit, if any. */
  maxBytes?: number;
}

export interface TierCorruption { key?: string; digest?: string; message: string }

export interface TierVerifyResult {
  checkedEntries: number;
  checkedBlobs: number;
  /** What was found corrupt; every item has already been deleted. */
  corrupt: TierCorruption[];
}

export interface TierGcResult {
  removedEntries: number;
  removedBytes: number;
  /** Bytes left after the collection. */
  bytes: number;
}

/**
 * The face a cache tier shows to `fester cache stats|verify|gc`: each tier plugin registers
 * one on `compiler.cacheTiers`, next to its `cacheGet` / `cacheStore` taps.
 */
export interface CacheTier {
  readonly name: string;
  /** Its stage on `cacheGet` (memory −10, local disk 0, network 20). */
  readonly stage: number;
  readonly durability: Durability;
  /** Where the data lives, for people (a folder or an endpoint). */
  readonly location: string;
  stats(): Promise<TierStats>;
  /** Re-hash every blob and parse every entry; delete what does not check. */
  verify(): Promise<TierVerifyResult>;
  /** Drop least recently used entries until the tier holds at most `maxBytes` (default: its own limit). */
  gc(maxBytes?: number): Promise<TierGcResult>;
}

/** Tiers by name, listed in stage order. */
export class CacheTierRegistry {
  private readonly tiers = new Map<string, CacheTier>();

  register(tier: CacheTier): void {
    this.tiers.set(tier.name, tier);
  }

  get(name: string): CacheTier | undefined {
    return this.tiers.get(name);
  }

  list(): CacheTier[] {
    return [...this.tiers.values()].sort((a, b) => a.stage - b.stage || a.name.localeCompare(b.name));
  }
}

/**
 * Whether a tier of the given durability should act on a store. Stores carry `tiers` while a
 * volatile tier holds the build's persistent writes for its sync barrier (see Build.writeBackTiers).
 */
export function storeIsFor(req: Pick<CacheStoreRequest, 'tiers'>, durability: Durability): boolean {
  return req.tiers === undefined || req.tiers === durability;
}
