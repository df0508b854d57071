import { createHash } from 'node:crypto';
import type { AcEntry, CacheHit } from '@fester/core';
import type { Endpoint, GetResult } from './Endpoint.js';

/** What the tier reports; the plugin turns these into journal events of the current build. */
export interface TierReporter {
  corrupt(r: { endpoint: string; key: string; digest?: string; message: string }): void;
  quorumUnmet(r: { key: string; acked: number; total: number; quorum: number; errors: string[] }): void;
  repaired(r: { endpoint: string; key: string; objects: number }): void;
}

type AcStatus = 'ok' | 'missing' | 'corrupt' | 'failed';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/**
 * The network tier over several S3 endpoints. Writes go to every endpoint and count as
 * durable when `quorum` of them acknowledged both blobs and entry. Reads take the first
 * valid entry, fetch each blob from a replica whose bytes match the digest, and write back
 * to any endpoint that missed (read-repair) in the background, awaited at the sync barrier.
 */
export class S3Tier {
  readonly name = 'minio';
  private readonly pending = new Set<Promise<void>>();

  constructor(readonly endpoints: Endpoint[], private readonly opts: { prefix: string; quorum: number; readRepair: boolean }, private readonly report: TierReporter) {}

  private acName(key: string): string { return `${this.opts.prefix}ac/${key}`; }
  private casName(digest: string): string { return `${this.opts.prefix}cas/${digest}`; }

  /** False when every endpoint was left out for good: the tier is off, no request, no warning. */
  get enabled(): boolean { return this.endpoints.some((e) => !e.breaker.disabled); }

  async get(key: string): Promise<CacheHit | undefined> {
    if (!this.enabled) return undefined;
    const status = new Map<Endpoint, AcStatus>();
    let first: { ep: Endpoint; entry: AcEntry; body: Buffer } | undefined;
    // Ask every endpoint at once, answer with the first valid entry; slower ones only decide repairs.
    const all = this.endpoints.map((ep) => ep.get(this.acName(key)).then((r) => {
      const entry = this.checkEntry(ep, key, r);
      status.set(ep, r.kind === 'failed' ? 'failed' : r.kind === 'missing' ? 'missing' : entry ? 'ok' : 'corrupt');
      if (entry && !first && r.kind === 'found') first = { ep, entry, body: r.data };
    }));
    await firstOf(all, () => first !== undefined);
    if (!first) return undefined;
    const { entry, body } = first;
    const blobs = new Map<string, Buffer>();
    const blobRepairs: [Endpoint, string][] = [];
    for (const o of entry.outputs) {
      if (blobs.has(o.digest)) continue;
      const order = [first.ep, ...this.endpoints.filter((e) => e !== first!.ep && status.get(e) === 'ok'), ...this.endpoints.filter((e) => e !== first!.ep && status.get(e) !== 'ok')];
      let data: Buffer | undefined;
      for (const ep of order) {
        const r = await ep.get(this.casName(o.digest));
        if (r.kind === 'failed') continue;
        if (r.kind === 'found' && sha256(r.data) === o.digest) { data = r.data; break; }
        if (r.kind === 'found') {
          // Right name, wrong bytes: never served, removed so no other reader gets it either.
          await ep.remove(this.casName(o.digest));
          this.report.corrupt({ endpoint: ep.id, key, digest: o.digest, message: `blob ${o.digest.slice(0, 12)}… of ${o.path} on ${ep.id} does not match its digest` });
        }
        blobRepairs.push([ep, o.digest]);
      }
      if (!data) {
        // The entry points at bytes nobody has: drop it where it is, the action rebuilds.
        await Promise.all(this.endpoints.filter((e) => status.get(e) === 'ok').map((e) => e.remove(this.acName(key))));
        return undefined;
      }
      blobs.set(o.digest, data);
    }
    if (this.opts.readRepair) this.track(this.repair(key, body, blobs, all, status, blobRepairs));
    return { tier: this.name, entry, blobs };
  }

  /** Parse and check an `ac/` object; a bad one is removed and reported. */
  private checkEntry(ep: Endpoint, key: string, r: GetResult): AcEntry | undefined {
    if (r.kind !== 'found') return undefined;
    let problem: string | undefined;
    let entry: AcEntry | undefined;
    if (r.sha256 && sha256(r.data) !== r.sha256) problem = 'does not match its recorded sha256';
    else {
      try {
        entry = JSON.parse(r.data.toString('utf8')) as AcEntry;
        if (entry?.v !== 1 || !Array.isArray(entry.outputs) || entry.outputs.some((o) => typeof o?.digest !== 'string' || !/^[0-9a-f]{64}$/.test(o.digest))) problem = 'is not an action entry';
      } catch { problem = 'is not valid JSON'; }
    }
    if (!problem) return entry;
    void ep.remove(this.acName(key));
    this.report.corrupt({ endpoint: ep.id, key, message: `action entry on ${ep.id} ${problem}` });
    return undefined;
  }

  /** Once every endpoint answered: write the entry (and blobs) to those that missed it. */
  private async repair(key: string, body: Buffer, blobs: Map<string, Buffer>, all: Promise<void>[], status: Map<Endpoint, AcStatus>, blobRepairs: [Endpoint, string][]): Promise<void> {
    await Promise.all(all);
    for (const ep of this.endpoints) {
      const s = status.get(ep);
      const digests = s === 'missing' || s === 'corrupt' ? [...blobs.keys()] : s === 'ok' ? blobRepairs.filter(([e]) => e === ep).map(([, d]) => d) : [];
      if (!digests.length && s === 'ok') continue;
      if (s === 'failed' || s === undefined) continue;
      let failed = false;
      for (const d of new Set(digests)) if (await ep.put(this.casName(d), blobs.get(d)!)) failed = true;
      if (!failed && s !== 'ok' && (await ep.put(this.acName(key), body, sha256(body)))) failed = true;
      if (!failed) this.report.repaired({ endpoint: ep.id, key, objects: digests.length + (s === 'ok' ? 0 : 1) });
    }
  }

  async store(key: string, entry: AcEntry, blobs: Map<string, Buffer>): Promise<void> {
    if (!this.enabled) return;
    const body = Buffer.from(JSON.stringify(entry));
    const bodySha = sha256(body);
    const errors: string[] = [];
    // Blobs before the entry on each endpoint: an entry is never visible before its bytes.
    const acks = await Promise.all(this.endpoints.map(async (ep) => {
      for (const [digest, data] of blobs) {
        const err = await ep.put(this.casName(digest), data);
        if (err) { errors.push(`${ep.id}: ${err}`); return false; }
      }
      const err = await ep.put(this.acName(key), body, bodySha);
      if (err) errors.push(`${ep.id}: ${err}`);
      return !err;
    }));
    const acked = acks.filter(Boolean).length;
    if (acked < this.opts.quorum) this.report.quorumUnmet({ key, acked, total: this.endpoints.length, quorum: this.opts.quorum, errors });
  }

  private track(p: Promise<void>): void {
    const t = p.catch(() => {}).finally(() => this.pending.delete(t));
    this.pending.add(t);
  }

  /** The sync barrier: background repairs finish before the build is reported done. */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}

/** Resolves when `done()` turns true after one of the promises settles, or all settled. */
function firstOf(ps: Promise<void>[], done: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    let left = ps.length;
    if (!left) resolve();
    for (const p of ps) {
      void p.finally(() => {
        left--;
        if (done() || left === 0) resolve();
      });
    }
  });
}
