import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AcEntry } from '@fester/core';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const HEX64 = /^[0-9a-f]{64}$/;
let tmpCounter = 0;

interface Item {
  /** Bytes of the entry file. */
  size: number;
  /** Last use (ms): file mtime, bumped on every hit; the LRU clock. */
  used: number;
  /** Blobs the entry refers to ([] when it could not be parsed). */
  digests: string[];
}

export type Read =
  | { kind: 'hit'; entry: AcEntry; blobs: Map<string, Buffer> }
  | { kind: 'miss' }
  | { kind: 'corrupt'; digest?: string; message: string };

/**
 * The files of the tmpfs tier: `cas/<sha256>` blobs and `ac/<key>` entries (JSON AcEntry),
 * each written to a temp name and renamed, blobs before their entry, so a reader never
 * sees an entry whose blobs are still being written. An in-memory index (rebuilt from the
 * folder at each build) tracks sizes and last use for the LRU cap.
 */
export class TmpfsStore {
  private items = new Map<string, Item>();
  private blobSizes = new Map<string, number>();
  /** Entries not yet written back by some build: never evicted. */
  readonly pinned = new Set<string>();

  constructor(readonly dir: string, readonly maxBytes: number) {}

  private ac(key: string) { return join(this.dir, 'ac', key); }
  private cas(hex: string) { return join(this.dir, 'cas', hex); }
  private mark(key: string) { return join(this.dir, 'pending', key); }

  /** Create the folders; throws when the place is not usable (the caller falls back). */
  ensure(): void {
    mkdirSync(join(this.dir, 'ac'), { recursive: true });
    mkdirSync(join(this.dir, 'cas'), { recursive: true });
    mkdirSync(join(this.dir, 'pending'), { recursive: true });
  }

  /** Rebuild the index from the folder (another process may have written or evicted). */
  async load(): Promise<void> {
    const items = new Map<string, Item>();
    const blobs = new Map<string, number>();
    for (const name of await readdir(join(this.dir, 'cas')).catch(() => [] as string[])) {
      const st = await stat(this.cas(name)).catch(() => undefined);
      if (st?.isFile() && HEX64.test(name)) blobs.set(name, st.size);
    }
    for (const key of await readdir(join(this.dir, 'ac')).catch(() => [] as string[])) {
      if (key.includes('.tmp-')) continue;
      const st = await stat(this.ac(key)).catch(() => undefined);
      if (!st?.isFile()) continue;
      let digests: string[] = [];
      try { digests = (JSON.parse(await readFile(this.ac(key), 'utf8')) as AcEntry).outputs.map((o) => o.digest); } catch { /* reported on read or verify */ }
      items.set(key, { size: st.size, used: st.mtimeMs, digests });
    }
    this.items = items;
    this.blobSizes = blobs;
  }

  get bytes(): number {
    let n = 0;
    for (const i of this.items.values()) n += i.size;
    for (const s of this.blobSizes.values()) n += s;
    return n;
  }

  get entries(): number { return this.items.size; }
  get blobCount(): number { return this.blobSizes.size; }

  /** Bytes this entry would add (blobs already present are shared). */
  cost(entry: AcEntry, blobs: Map<string, Buffer>): number {
    let n = Buffer.byteLength(JSON.stringify(entry));
    for (const [hex, data] of blobs) if (!this.blobSizes.has(hex)) n += data.length;
    return n;
  }

  /** Read and verify an entry and every blob it names; bump its LRU clock on a hit. */
  async read(key: string): Promise<Read> {
    let entry: AcEntry;
    try {
      entry = JSON.parse(await readFile(this.ac(key), 'utf8')) as AcEntry;
      if (!Array.isArray(entry.outputs)) throw new Error('not an action entry');
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return { kind: 'miss' };
      return { kind: 'corrupt', message: `action entry unreadable: ${(e as Error).message}` };
    }
    const blobs = new Map<string, Buffer>();
    for (const o of entry.outputs) {
      let data: Buffer;
      try { data = await readFile(this.cas(o.digest)); } catch { return { kind: 'miss' }; }
      if (sha256(data) !== o.digest) return { kind: 'corrupt', digest: o.digest, message: `blob ${o.digest.slice(0, 12)}… of ${o.path} does not match its digest` };
      blobs.set(o.digest, data);
    }
    const now = new Date();
    await utimes(this.ac(key), now, now).catch(() => {});
    const item = this.items.get(key);
    if (item) item.used = now.getTime();
    return { kind: 'hit', entry, blobs };
  }

  /**
   * Write blobs, then the entry; on any failure remove what this call wrote and rethrow.
   * `pending`: the entry is not durable yet. Its marker is written first and outlives a crash,
   * so a later build writes back what a killed one left only in RAM.
   */
  async write(key: string, entry: AcEntry, blobs: Map<string, Buffer>, pending = false): Promise<void> {
    const fresh: string[] = [];
    try {
      if (pending) await writeFile(this.mark(key), '');
      // Blobs are rewritten even when present: the bytes in hand are verified, a resident copy may not be.
      for (const [hex, data] of blobs) {
        const had = this.blobSizes.has(hex);
        await this.atomic(this.cas(hex), data);
        if (!had) fresh.push(hex);
        this.blobSizes.set(hex, data.length);
      }
      const text = Buffer.from(JSON.stringify(entry));
      await this.atomic(this.ac(key), text);
      this.items.set(key, { size: text.length, used: Date.now(), digests: entry.outputs.map((o) => o.digest) });
    } catch (e) {
      for (const hex of fresh) await this.dropBlob(hex);
      if (pending) await rm(this.mark(key), { force: true });
      throw e;
    }
  }

  private async atomic(path: string, data: Buffer): Promise<void> {
    const tmp = `${path}.tmp-${process.pid}-${++tmpCounter}`;
    try {
      await writeFile(tmp, data);
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  /** Remove an entry, its blobs that no other entry uses, and a known-bad blob in any case. */
  async remove(key: string, badDigest?: string): Promise<number> {
    const item = this.items.get(key);
    this.items.delete(key);
    let freed = item?.size ?? 0;
    await rm(this.ac(key), { force: true });
    await rm(this.mark(key), { force: true });
    const used = new Set<string>();
    for (const i of this.items.values()) for (const d of i.digests) used.add(d);
    for (const d of new Set([...(item?.digests ?? []), ...(badDigest ? [badDigest] : [])])) {
      if (d === badDigest || !used.has(d)) freed += await this.dropBlob(d);
    }
    return freed;
  }

  private async dropBlob(hex: string): Promise<number> {
    const size = this.blobSizes.get(hex) ?? 0;
    this.blobSizes.delete(hex);
    await rm(this.cas(hex), { force: true });
    return size;
  }

  /** Evict least recently used, unpinned entries until `bytes + need <= limit`. */
  async evict(need: number, limit = this.maxBytes): Promise<{ entries: number; bytes: number }> {
    let entries = 0;
    let bytes = 0;
    const order = [...this.items.entries()].filter(([k]) => !this.pinned.has(k)).sort((a, b) => a[1].used - b[1].used);
    for (const [key] of order) {
      if (this.bytes + need <= limit) break;
      bytes += await this.remove(key);
      entries++;
    }
    // Blobs no entry refers to (a store cut short by a crash) go too.
    if (this.bytes + need > limit) {
      const used = new Set<string>();
      for (const i of this.items.values()) for (const d of i.digests) used.add(d);
      for (const hex of [...this.blobSizes.keys()]) if (!used.has(hex)) bytes += await this.dropBlob(hex);
    }
    return { entries, bytes };
  }

  /** Keys whose write-back has not happened (this build's, or a killed build's). */
  async pendingKeys(): Promise<string[]> {
    return (await readdir(join(this.dir, 'pending')).catch(() => [] as string[])).filter((k) => !k.includes('.tmp-'));
  }

  async written(key: string): Promise<void> {
    await rm(this.mark(key), { force: true });
  }

  /** Every key of the index, for verify. */
  keys(): string[] { return [...this.items.keys()]; }

  /** Re-hash every blob file against its name; remove mismatches. Returns the bad digests. */
  async verifyBlobs(): Promise<string[]> {
    const bad: string[] = [];
    for (const hex of [...this.blobSizes.keys()]) {
      const data = await readFile(this.cas(hex)).catch(() => undefined);
      if (data && sha256(data) === hex) continue;
      await this.dropBlob(hex);
      bad.push(hex);
    }
    return bad;
  }
}
