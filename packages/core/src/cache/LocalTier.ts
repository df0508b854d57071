import type cacacheT from 'cacache';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from '../fingerprint/hash.js';
import type { AcEntry, CacheHit } from '../types.js';
import type { CacheTier, TierGcResult, TierStats, TierVerifyResult } from './CacheTier.js';
import { blobPath, localGc, localStats, localVerify } from './localTierMaintenance.js';

/** cacache speaks SRI; Fester speaks hex sha256. */
export function integrityOf(hex: string): string {
  return `sha256-${Buffer.from(hex, 'hex').toString('base64')}`;
}

let cacacheModule: typeof cacacheT | undefined;
/** cacache is loaded on first use: an up-to-date build never asks the cache. */
async function lib(): Promise<typeof cacacheT> {
  cacacheModule ??= (await import('cacache')).default;
  return cacacheModule;
}

export interface CorruptReport { key: string; digest?: string; message: string }

function isIntegrityError(e: unknown): boolean {
  return (e as { code?: string }).code === 'EINTEGRITY' || (e as { code?: string }).code === 'EBADSIZE';
}

function isMissing(e: unknown): boolean {
  const c = (e as { code?: string }).code;
  return c === 'ENOENT' || c === 'ENOTCACHED';
}

/**
 * The local disk tier (stage 0): action entries under `ac/<key>`, output blobs stored by
 * content. cacache verifies every read against its integrity, so a tampered blob raises
 * EINTEGRITY; the entry is then removed and reported, and the action rebuilds.
 */
export class LocalTier implements CacheTier {
  readonly name = 'local';
  readonly stage = 0;
  readonly durability = 'persistent' as const;
  readonly dir: string;

  /** `maxBytes`: the size limit `gc()` enforces by default (none: gc only drops orphans). */
  constructor(cacheDir: string, readonly maxBytes?: number) {
    this.dir = join(cacheDir, 'local');
  }

  get location(): string { return this.dir; }

  async get(key: string, onCorrupt: (r: CorruptReport) => void): Promise<CacheHit | undefined> {
    const cacache = await lib();
    let entry: AcEntry;
    try {
      const got = await cacache.get(this.dir, `ac/${key}`);
      entry = JSON.parse(got.data.toString('utf8')) as AcEntry;
    } catch (e) {
      if (isMissing(e)) return undefined;
      await this.drop(key);
      onCorrupt({ key, message: `action entry unreadable: ${(e as Error).message}` });
      return undefined;
    }
    const blobs = new Map<string, Buffer>();
    for (const o of entry.outputs) {
      try {
        const data = await cacache.get.byDigest(this.dir, integrityOf(o.digest));
        // cacache checked its SRI; check ours too, so a wrong SRI in an index can't slip through.
        if (sha256(data) !== o.digest) throw Object.assign(new Error('digest mismatch'), { code: 'EINTEGRITY' });
        blobs.set(o.digest, data);
      } catch (e) {
        await this.drop(key, o.digest);
        if (isMissing(e)) return undefined;
        onCorrupt({ key, digest: o.digest, message: isIntegrityError(e) ? `blob ${o.digest.slice(0, 12)}… of ${o.path} does not match its digest` : (e as Error).message });
        return undefined;
      }
    }
    // A hit is a use: blob mtimes are the LRU clock of `gc`.
    const now = new Date();
    await Promise.all(entry.outputs.map((o) => utimes(blobPath(this.dir, o.digest), now, now).catch(() => {})));
    return { tier: this.name, entry, blobs };
  }

  async store(key: string, entry: AcEntry, blobs: Map<string, Buffer>): Promise<void> {
    const cacache = await lib();
    for (const [digest, data] of blobs) {
      const integrity = integrityOf(digest);
      if (await cacache.get.hasContent(this.dir, integrity)) continue;
      // Passing the expected integrity makes cacache refuse bytes that do not match it.
      await cacache.put(this.dir, `cas/${digest}`, data, { integrity, algorithms: ['sha256'] });
    }
    await cacache.put(this.dir, `ac/${key}`, Buffer.from(JSON.stringify(entry)), { algorithms: ['sha256'] });
  }

  /** Remove an entry and, if known, the bad blob, so nothing corrupt is served again. */
  async drop(key: string, digest?: string): Promise<void> {
    const cacache = await lib();
    // removeFully: drop the index bucket line too, so a later `verify` does not resurrect it.
    await (cacache.rm.entry as (c: string, k: string, o: object) => Promise<unknown>)(this.dir, `ac/${key}`, { removeFully: true }).catch(() => {});
    if (digest) await cacache.rm.content(this.dir, integrityOf(digest)).catch(() => {});
  }

  async stats(): Promise<TierStats> {
    return { ...(await localStats(await lib(), this.dir)), ...(this.maxBytes !== undefined ? { maxBytes: this.maxBytes } : {}) };
  }

  async verify(): Promise<TierVerifyResult> {
    return localVerify(await lib(), this.dir);
  }

  async gc(maxBytes = this.maxBytes ?? Number.POSITIVE_INFINITY): Promise<TierGcResult> {
    return localGc(await lib(), this.dir, maxBytes);
  }
}
