import { statSync, type Stats } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { hashFile, sha256 } from './hash.js';

/** [mtimeMs, size, ino, sha256] — what a later build trusts without rehashing (ninja-style). */
export type FileRecord = [number, number, number, string];

/** A file changed within this window before the state was saved might change again unseen. */
const RACY_MS = 20;

/**
 * Digests of files for one build. A file whose stat matches the previous build's record is
 * not read again; everything else is hashed once and remembered.
 */
export class FileDigests {
  private readonly root: string;
  private readonly prev: Record<string, FileRecord>;
  private readonly racyAfter: number;
  private readonly stats = new Map<string, Stats | null>();
  private readonly now = new Map<string, FileRecord>();
  /** Whether any record differs from the previous build's (something was hashed or written). */
  dirty = false;

  constructor(root: string, prev: Record<string, FileRecord>, savedAt: number) {
    this.root = root;
    this.prev = prev;
    this.racyAfter = savedAt - RACY_MS;
  }

  abs(p: string): string {
    return isAbsolute(p) ? p : join(this.root, p);
  }

  stat(p: string): Stats | null {
    let s = this.stats.get(p);
    if (s === undefined) {
      try { s = statSync(this.abs(p)); } catch { s = null; }
      this.stats.set(p, s);
    }
    return s;
  }

  /** The digest without reading the file, when its stat still matches; else undefined. */
  cached(p: string): string | undefined {
    const known = this.now.get(p);
    if (known) return known[3];
    const s = this.stat(p);
    const r = this.prev[p];
    if (!s || !r || r[0] >= this.racyAfter) return undefined;
    if (s.mtimeMs !== r[0] || s.size !== r[1] || s.ino !== r[2]) return undefined;
    this.now.set(p, r);
    return r[3];
  }

  /** The digest of a file (hashing only if its stat changed), or undefined if it is missing. */
  async digest(p: string): Promise<string | undefined> {
    const c = this.cached(p);
    if (c) return c;
    const s = this.stat(p);
    if (!s) return undefined;
    const d = await hashFile(this.abs(p), s.size);
    this.record(p, [s.mtimeMs, s.size, s.ino, d]);
    return d;
  }

  /** Record a file Fester just wrote, whose bytes it already knows. */
  wrote(p: string, data: Buffer): string {
    this.stats.delete(p);
    const s = this.stat(p)!;
    const d = sha256(data);
    this.record(p, [s.mtimeMs, s.size, s.ino, d]);
    return d;
  }

  /**
   * Keep a fresh record. Only a record that differs from the previous build's makes the state
   * dirty: re-hashing a file inside the racy window that turns out unchanged does not.
   */
  private record(p: string, r: FileRecord): void {
    this.now.set(p, r);
    const old = this.prev[p];
    if (!old || old[0] !== r[0] || old[1] !== r[1] || old[2] !== r[2] || old[3] !== r[3]) this.dirty = true;
  }

  /** Forget a path (it was deleted or is about to be rewritten). */
  forget(p: string): void {
    this.stats.delete(p);
    this.now.delete(p);
  }

  /** Records to persist: everything seen this build, plus untouched older records. */
  records(): Record<string, FileRecord> {
    const out: Record<string, FileRecord> = { ...this.prev };
    for (const [p, r] of this.now) out[p] = r;
    return out;
  }
}
