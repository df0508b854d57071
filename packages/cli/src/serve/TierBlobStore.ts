import { createHash } from 'node:crypto';
import type { AcEntry, LocalTier } from '@fester/core';

export type Area = 'ac' | 'cas';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
export const EMPTY_SHA256 = sha256('');

/**
 * Bazel-remote's two areas on top of a Fester tier. Each object becomes a one-output entry
 * under a namespaced key, so the tier's own checks apply: every read is verified against
 * the blob's digest, a corrupt blob is deleted and reported, `fester cache verify|gc` see
 * them. AC values (Bazel ActionResult protos, ccache results) are opaque blobs; CAS blobs
 * share the tier's content store with Fester's own outputs (same sha256, same bytes).
 */
export class TierBlobStore {
  constructor(private readonly tier: LocalTier, private readonly onCorrupt: (area: Area, hash: string, message: string) => void) {}

  private key(area: Area, hash: string): string {
    return sha256(`bazel-remote:${area}:${hash}`);
  }

  async get(area: Area, hash: string): Promise<Buffer | undefined> {
    if (area === 'cas' && hash === EMPTY_SHA256) return Buffer.alloc(0);
    const hit = await this.tier.get(this.key(area, hash), (r) => this.onCorrupt(area, hash, r.message));
    const out = hit?.entry.outputs[0];
    if (!hit || !out) return undefined;
    const data = hit.blobs.get(out.digest);
    // A CAS entry must also hold the bytes its name promises (the tier checked digest = content).
    if (!data || (area === 'cas' && out.digest !== hash)) return undefined;
    return data;
  }

  /** The caller has checked a CAS body against its hash. */
  async put(area: Area, hash: string, data: Buffer): Promise<void> {
    if (area === 'cas' && hash === EMPTY_SHA256) return;
    const digest = area === 'cas' ? hash : sha256(data);
    const entry: AcEntry = { v: 1, action: `bazel-remote:${area}`, outputs: [{ path: `${area}/${hash}`, digest, size: data.length, mode: 0o644 }] };
    await this.tier.store(this.key(area, hash), entry, new Map([[digest, data]]));
  }
}
