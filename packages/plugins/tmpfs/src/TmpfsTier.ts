import type { CacheTier, TierCorruption, TierGcResult, TierStats, TierVerifyResult } from '@fester/core';
import type { TmpfsStore } from './TmpfsStore.js';
import { TIER } from './WriteBack.js';

/** The tmpfs tier as `fester cache stats|verify|gc` see it. */
export class TmpfsTier implements CacheTier {
  readonly name = TIER;
  readonly stage = -10;
  readonly durability = 'volatile' as const;

  constructor(private readonly store: TmpfsStore) {}

  get location(): string { return this.store.dir; }

  async stats(): Promise<TierStats> {
    await this.store.load();
    return { entries: this.store.entries, blobs: this.store.blobCount, bytes: this.store.bytes, maxBytes: this.store.maxBytes };
  }

  async verify(): Promise<TierVerifyResult> {
    const s = this.store;
    await s.load();
    const checkedBlobs = s.blobCount;
    const corrupt: TierCorruption[] = (await s.verifyBlobs()).map((digest) => ({ digest, message: 'bytes do not match the digest' }));
    const keys = s.keys();
    for (const key of keys) {
      const got = await s.read(key);
      if (got.kind === 'hit') continue;
      await s.remove(key, got.kind === 'corrupt' ? got.digest : undefined);
      corrupt.push({ key, ...(got.kind === 'corrupt' && got.digest ? { digest: got.digest } : {}), message: got.kind === 'corrupt' ? got.message : 'entry refers to a missing blob' });
    }
    return { checkedEntries: keys.length, checkedBlobs, corrupt };
  }

  async gc(maxBytes = this.store.maxBytes): Promise<TierGcResult> {
    await this.store.load();
    const r = await this.store.evict(0, maxBytes);
    return { removedEntries: r.entries, removedBytes: r.bytes, bytes: this.store.bytes };
  }
}
