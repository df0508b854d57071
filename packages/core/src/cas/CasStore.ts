import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Blobs by sha256 on disk (the coordinator's store and each agent's local copy). Every write
 * is checked against its digest and lands atomically (temp file + rename), every read is
 * checked again: a blob changed on disk is deleted and reported missing, never served.
 */
export class CasStore {
  constructor(readonly dir: string, private readonly maxBytes = Infinity) {
    mkdirSync(join(dir, 'tmp'), { recursive: true });
  }

  static digestOf(data: Buffer): string {
    return createHash('sha256').update(data).digest('hex');
  }

  static isDigest(s: string): boolean {
    return /^[0-9a-f]{64}$/.test(s);
  }

  path(digest: string): string {
    return join(this.dir, digest.slice(0, 2), digest);
  }

  has(digest: string): boolean {
    try { statSync(this.path(digest)); return true; } catch { return false; }
  }

  /** Store bytes claimed to have `digest`; false (nothing written) when they do not. */
  put(digest: string, data: Buffer): boolean {
    if (!CasStore.isDigest(digest) || CasStore.digestOf(data) !== digest) return false;
    if (this.has(digest)) { this.touch(digest); return true; }
    const tmp = join(this.dir, 'tmp', `${digest}.${randomBytes(6).toString('hex')}`);
    writeFileSync(tmp, data);
    mkdirSync(join(this.dir, digest.slice(0, 2)), { recursive: true });
    renameSync(tmp, this.path(digest));
    return true;
  }

  /** The verified bytes, or undefined when absent or corrupt (a corrupt blob is removed). */
  get(digest: string): Buffer | undefined {
    if (!CasStore.isDigest(digest)) return undefined;
    let data: Buffer;
    try { data = readFileSync(this.path(digest)); } catch { return undefined; }
    if (CasStore.digestOf(data) !== digest) {
      rmSync(this.path(digest), { force: true });
      return undefined;
    }
    this.touch(digest);
    return data;
  }

  /** Which of these digests this store does not hold. */
  missing(digests: readonly string[]): string[] {
    return digests.filter((d) => !this.has(d));
  }

  /** Drop least recently used blobs until the store fits its cap; returns bytes freed. */
  trim(): number {
    if (!Number.isFinite(this.maxBytes)) return 0;
    const all: { p: string; size: number; used: number }[] = [];
    let total = 0;
    for (const sub of safeList(this.dir)) {
      if (sub === 'tmp') continue;
      for (const f of safeList(join(this.dir, sub))) {
        try {
          const st = statSync(join(this.dir, sub, f));
          all.push({ p: join(this.dir, sub, f), size: st.size, used: st.mtimeMs });
          total += st.size;
        } catch { /* removed meanwhile */ }
      }
    }
    let freed = 0;
    all.sort((a, b) => a.used - b.used);
    for (const b of all) {
      if (total - freed <= this.maxBytes) break;
      rmSync(b.p, { force: true });
      freed += b.size;
    }
    return freed;
  }

  /** Recency for the LRU is the file's mtime (atime is often disabled). */
  private touch(digest: string): void {
    const now = new Date();
    try { utimesSync(this.path(digest), now, now); } catch { /* gone: nothing to mark */ }
  }
}

function safeList(dir: string): string[] {
  try { return readdirSync(dir); } catch { return []; }
}
