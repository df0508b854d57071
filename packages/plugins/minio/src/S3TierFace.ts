import { createHash } from 'node:crypto';
import type { CacheTier, TierCorruption, TierGcResult, TierStats, TierVerifyResult } from '@fester/core';
import type { Endpoint } from './Endpoint.js';

/**
 * The S3 tier as `fester cache stats|verify|gc` sees it (compiler.cacheTiers). Stats are
 * those of the fullest replica; verify re-hashes every blob on every reachable endpoint
 * and deletes what does not match; gc is left to the bucket's lifecycle rules (S3 keeps no
 * access times), so it reports the size and removes nothing.
 */
export class S3TierFace implements CacheTier {
  readonly name = 'minio';
  readonly stage = 20;
  readonly durability = 'persistent' as const;
  readonly location: string;

  constructor(private readonly endpoints: Endpoint[], private readonly prefix: string, bucket: string) {
    this.location = `${endpoints.map((e) => e.id).join(', ')} bucket ${bucket}${prefix ? ` prefix ${prefix}` : ''}`;
  }

  async stats(): Promise<TierStats> {
    let best: TierStats = { entries: 0, blobs: 0, bytes: 0 };
    for (const ep of this.endpoints) {
      const objs = await ep.list(this.prefix).catch(() => undefined);
      if (!objs) continue;
      const s = { entries: objs.filter((o) => o.name.startsWith(`${this.prefix}ac/`)).length, blobs: objs.filter((o) => o.name.startsWith(`${this.prefix}cas/`)).length, bytes: objs.reduce((n, o) => n + o.size, 0) };
      if (s.bytes >= best.bytes) best = s;
    }
    return best;
  }

  async verify(): Promise<TierVerifyResult> {
    const corrupt: TierCorruption[] = [];
    let checkedEntries = 0;
    let checkedBlobs = 0;
    for (const ep of this.endpoints) {
      const objs = await ep.list(this.prefix).catch(() => undefined);
      if (!objs) continue;
      for (const o of objs) {
        const rel = o.name.slice(this.prefix.length);
        const r = await ep.get(o.name);
        if (r.kind !== 'found') continue;
        const sha = createHash('sha256').update(r.data).digest('hex');
        let bad: string | undefined;
        if (rel.startsWith('cas/')) {
          checkedBlobs++;
          if (sha !== rel.slice(4)) bad = `blob on ${ep.id} does not match its digest`;
        } else if (rel.startsWith('ac/')) {
          checkedEntries++;
          if (r.sha256 && r.sha256 !== sha) bad = `entry on ${ep.id} does not match its recorded sha256`;
          else { try { JSON.parse(r.data.toString('utf8')); } catch { bad = `entry on ${ep.id} is not valid JSON`; } }
        }
        if (!bad) continue;
        await ep.remove(o.name);
        corrupt.push(rel.startsWith('cas/') ? { digest: rel.slice(4), message: bad } : { key: rel.slice(3), message: bad });
      }
    }
    return { checkedEntries, checkedBlobs, corrupt };
  }

  async gc(): Promise<TierGcResult> {
    return { removedEntries: 0, removedBytes: 0, bytes: (await this.stats()).bytes };
  }
}
