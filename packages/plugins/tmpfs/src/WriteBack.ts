import type { AcEntry, Action, Build, CacheStoreRequest } from '@fester/core';
import type { TmpfsStore } from './TmpfsStore.js';

export const TIER = 'tmpfs';

/**
 * One build's entries that live only in RAM so far. The build's stores reach the persistent
 * tiers only through `flush`: at the sync barrier (end of build, failure or SIGTERM), or early
 * when the RAM cap needs the room. Each entry is re-read from tmpfs with its digests checked
 * and handed to the persistent tiers in one `cacheStore` call, which write blobs first and
 * the entry last: a crash at any point leaves whole entries or none.
 */
export class WriteBack {
  /** key → action, in store order (oldest first). */
  private readonly pending = new Map<string, Action>();
  private entries = 0;
  private bytes = 0;
  private failed = 0;

  constructor(private readonly build: Build, private readonly store: TmpfsStore) {}

  get size(): number { return this.pending.size; }

  add(key: string, action: Action): void {
    this.pending.delete(key);
    this.pending.set(key, action);
    this.store.pinned.add(key);
  }

  /** Hand a store straight to the persistent tiers (the RAM tier could not take it). */
  async writeThrough(req: CacheStoreRequest): Promise<void> {
    await this.build.hooks.cacheStore.promise({ ...req, tiers: 'persistent' });
  }

  /**
   * Write back every pending entry, oldest first; then entries a killed build left pending
   * (their markers survive in RAM), so a hit on them does not leave them RAM-only forever.
   */
  async flush(): Promise<void> {
    while (this.pending.size) await this.flushOldest();
    for (const key of await this.store.pendingKeys()) {
      if (this.store.pinned.has(key)) continue; // another build of this process, still running
      await this.writeBack(key, undefined);
    }
  }

  private async flushOldest(): Promise<void> {
    const [key, action] = this.pending.entries().next().value as [string, Action];
    this.pending.delete(key);
    this.store.pinned.delete(key);
    await this.writeBack(key, action);
  }

  private async writeBack(key: string, known: Action | undefined): Promise<void> {
    const got = await this.store.read(key);
    if (got.kind !== 'hit') {
      // Never write back what does not check; the action rebuilds next time. (A killed
      // build's marker without its entry is just a write that never finished.)
      if (known || got.kind === 'corrupt') this.failed++;
      if (got.kind === 'corrupt') {
        await this.store.remove(key, got.digest);
        this.build.emit({ type: 'cache.corrupt', tier: TIER, key, ...(got.digest ? { digest: got.digest } : {}), message: `${got.message} (not written back)` });
      }
      await this.store.written(key);
      return;
    }
    const action = known ?? this.build.graph?.get(got.entry.action) ?? stubAction(got.entry);
    try {
      await this.build.hooks.cacheStore.promise({ action, key, entry: got.entry, blobs: got.blobs, tiers: 'persistent' });
      await this.store.written(key);
      this.entries++;
      this.bytes += got.entry.outputs.reduce((n, o) => n + o.size, 0);
    } catch (e) {
      this.failed++;
      this.build.emit({ type: 'cache.error', tier: 'store', key, message: `write-back: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  /** The barrier: everything left goes to the persistent tiers; journal what was written. */
  async barrier(): Promise<void> {
    const t = performance.now();
    const before = { entries: this.entries, bytes: this.bytes, failed: this.failed };
    await this.flush();
    this.build.emit({ type: 'cache.writeback', tier: TIER, entries: this.entries - before.entries, bytes: this.bytes - before.bytes, failed: this.failed - before.failed, durationMs: performance.now() - t });
  }

  /** Make room for `need` bytes under the cap: evict unpinned entries, then write back early. */
  async makeRoom(need: number): Promise<boolean> {
    const s = this.store;
    const evicted = { entries: 0, bytes: 0 };
    const evict = async () => {
      const r = await s.evict(need);
      evicted.entries += r.entries;
      evicted.bytes += r.bytes;
    };
    await evict();
    if (s.bytes + need > s.maxBytes && this.pending.size) {
      // Written-back entries are unpinned and may go: write back just enough, oldest first.
      const before = { entries: this.entries, bytes: this.bytes, failed: this.failed };
      const t = performance.now();
      while (s.bytes + need > s.maxBytes && this.pending.size) {
        await this.flushOldest();
        await evict();
      }
      this.build.emit({ type: 'cache.writeback', tier: TIER, entries: this.entries - before.entries, bytes: this.bytes - before.bytes, failed: this.failed - before.failed, durationMs: performance.now() - t, early: true });
    }
    if (evicted.entries || evicted.bytes) {
      this.build.emit({ type: 'cache.evicted', tier: TIER, entries: evicted.entries, bytes: evicted.bytes, remainingBytes: s.bytes, maxBytes: s.maxBytes });
    }
    return s.bytes + need <= s.maxBytes;
  }
}

/** An entry left by a killed build of another project: enough of an action for the tiers. */
function stubAction(entry: AcEntry): Action {
  return { id: entry.action, kind: 'custom', target: '', argv: [], cwd: '.', inputs: [], outputs: entry.outputs.map((o) => o.path), orderOnly: [], env: {}, meta: { recovered: true } };
}
