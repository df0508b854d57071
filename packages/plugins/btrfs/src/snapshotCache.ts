import { createHash } from 'node:crypto';
import { chmodSync, constants, copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Action, CacheHit, OutputRecord } from '@fester/core';
import { outRelative, type SnapshotStore } from './SnapshotStore.js';

export const SNAPSHOT_TIER = 'btrfs-snapshot';

interface Source { snapshot: string; outRel: string; outputs: Record<string, string> }

const sha256 = (d: string | Buffer) => createHash('sha256').update(d).digest('hex');
/** Same derivation as the core's compile manifests (header lists per pre-key). */
const manifestKey = (pre: string) => sha256(`manifest:${pre}`);

/**
 * A cache tier over the green snapshots of the out dir. Action keys recorded per snapshot
 * point at output files inside it; a hit reflinks them into place (FICLONE: no data is
 * copied, both names share extents), re-hashes what it placed and reports it `placed`, so
 * the core records the outputs without rewriting them.
 */
export class SnapshotCache {
  private readonly byKey = new Map<string, Source>();
  private readonly manifests = new Map<string, string[][]>();

  constructor(private readonly store: SnapshotStore, private readonly onCorrupt: (key: string, message: string) => void) {
    // Oldest first, so the newest snapshot wins for a key found in several.
    for (const m of store.list()) {
      if (!m.green) continue;
      for (const a of Object.values(m.actions)) {
        this.byKey.set(a.key, { snapshot: store.pathOf(m.name), outRel: m.outRel, outputs: a.outputs });
        const sets = this.manifests.get(manifestKey(a.pre)) ?? [];
        if (!sets.some((s) => s.join('\0') === a.headers.join('\0'))) this.manifests.set(manifestKey(a.pre), [a.headers, ...sets]);
      }
    }
  }

  get size(): number { return this.byKey.size; }

  /** Answer a lookup: a manifest (header sets) or an action's outputs, reflinked into `root`. */
  get(root: string, action: Action, key: string): CacheHit | undefined {
    const sets = this.manifests.get(key);
    if (sets) return { tier: SNAPSHOT_TIER, entry: { v: 1, action: action.id, outputs: [], headerSets: sets }, blobs: new Map() };
    const src = this.byKey.get(key);
    if (!src) return undefined;
    const placed: { tmp: string; dest: string }[] = [];
    const records: OutputRecord[] = [];
    const blobs = new Map<string, Buffer>();
    try {
      for (const o of action.outputs) {
        const digest = src.outputs[o];
        const rel = outRelative(src.outRel, o);
        if (!digest || !rel) return undefined;
        const from = join(src.snapshot, rel);
        const dest = join(root, o);
        const tmp = `${dest}.fester-reflink-${process.pid}`;
        mkdirSync(dirname(dest), { recursive: true });
        copyFileSync(from, tmp, constants.COPYFILE_FICLONE_FORCE);
        placed.push({ tmp, dest });
        const data = readFileSync(tmp);
        if (sha256(data) !== digest) {
          this.onCorrupt(key, `${rel} in snapshot ${src.snapshot} does not match its recorded digest`);
          return undefined;
        }
        const mode = statSync(from).mode & 0o777;
        chmodSync(tmp, mode);
        records.push({ path: o, digest, size: data.length, mode });
        blobs.set(digest, data);
      }
      // Every output checked: only now replace what is in the out dir.
      for (const p of placed.splice(0)) renameSync(p.tmp, p.dest);
      return { tier: SNAPSHOT_TIER, entry: { v: 1, action: action.id, outputs: records }, blobs, placed: true };
    } catch (e) {
      // A snapshot deleted under us, or a filesystem without reflinks: just a miss.
      if ((e as NodeJS.ErrnoException).code) return undefined;
      throw e;
    } finally {
      for (const p of placed) rmSync(p.tmp, { force: true });
    }
  }
}
