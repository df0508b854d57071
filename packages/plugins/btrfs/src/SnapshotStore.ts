import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { basename, dirname, join, posix, relative, sep } from 'node:path';
import { FesterError } from '@fester/core';
import { deleteSubvolume, snapshotReadOnly, snapshotWritable } from './btrfsTool.js';
import { inspectOutDir } from './detect.js';
import { compareTrees, digestTree } from './digestTree.js';
import { checkName, getMeta, listMeta, removeMeta, writeMeta, type SnapshotAction, type SnapshotMeta } from './meta.js';
import { planRetention, type RetentionPlan, type RetentionPolicy } from './retention.js';

export interface VerifyResult { name: string; ok: boolean; files: number; changed: string[]; missing: string[]; extra: string[] }

/**
 * Snapshots live beside the out dir, in `<parent>/.fester-snapshots/<out name>/`: on the same
 * Btrfs filesystem (snapshots cannot cross filesystems) and outside the out subvolume (so a
 * snapshot never contains the older ones).
 */
export function defaultSnapshotDir(realOutDir: string): string {
  return join(dirname(realOutDir), '.fester-snapshots', basename(realOutDir));
}

/** The snapshots of one out dir: create, list, restore, delete, verify, compact. */
export class SnapshotStore {
  private constructor(readonly outDir: string, readonly outRel: string, readonly dir: string) {}

  /** The store of an out dir that is a Btrfs subvolume; FE0901 with the reason otherwise. */
  static open(outDir: string, outRel: string, dir?: string): SnapshotStore {
    const k = inspectOutDir(outDir);
    if (k.kind !== 'subvolume') throw notSubvolume(outDir, k.kind === 'not-btrfs' ? `is on ${k.fsType}, not Btrfs` : k.kind === 'missing' ? 'does not exist' : 'is on Btrfs but is not a subvolume');
    return new SnapshotStore(k.path, outRel, dir ?? defaultSnapshotDir(k.path));
  }

  list(): SnapshotMeta[] { return listMeta(this.dir); }
  get(name: string): SnapshotMeta { return getMeta(this.dir, name); }
  pathOf(name: string): string { return join(this.dir, name); }

  /** A read-only snapshot of the out dir with its record (action keys, output and file digests). */
  async create(reason: SnapshotMeta['reason'], opts: { name?: string; build?: string; green?: boolean; now?: number } = {}): Promise<SnapshotMeta> {
    const now = opts.now ?? Date.now();
    const name = opts.name ?? this.freshName(reason, now);
    checkName(name);
    if (existsSync(this.pathOf(name))) throw new FesterError('FE0905', { message: `a snapshot named "${name}" already exists`, hint: 'choose another name or delete the old one' });
    mkdirSync(this.dir, { recursive: true });
    await snapshotReadOnly(this.outDir, this.pathOf(name));
    try {
      // Read the record from the frozen snapshot, not the live dir: both describe the same bytes.
      const snap = this.pathOf(name);
      const meta: SnapshotMeta = { v: 1, name, createdAt: now, reason, green: opts.green ?? false, ...(opts.build ? { build: opts.build } : {}), outRel: this.outRel, actions: readActions(snap), files: digestTree(snap) };
      writeMeta(this.dir, meta);
      return meta;
    } catch (e) {
      await deleteSubvolume(this.pathOf(name)).catch(() => undefined);
      throw e;
    }
  }

  async delete(name: string): Promise<void> {
    this.get(name);
    await deleteSubvolume(this.pathOf(name));
    removeMeta(this.dir, name);
  }

  /**
   * Instant rollback: the current out dir is kept as a `pre-restore` snapshot first (nothing
   * lost), then a writable snapshot of `name` is swapped in by two renames.
   */
  async restore(name: string): Promise<{ restored: SnapshotMeta; safety: SnapshotMeta }> {
    const restored = this.get(name);
    const safety = await this.create('pre-restore');
    const staging = `${this.outDir}.fester-restoring-${process.pid}`;
    const old = `${this.outDir}.fester-old-${process.pid}`;
    await snapshotWritable(this.pathOf(name), staging);
    renameSync(this.outDir, old);
    try {
      renameSync(staging, this.outDir);
    } catch (e) {
      renameSync(old, this.outDir);
      await deleteSubvolume(staging).catch(() => undefined);
      throw e;
    }
    await deleteSubvolume(old);
    return { restored, safety };
  }

  /**
   * Restore the snapshot into a scratch subvolume and hash every file there against the
   * digests recorded when it was taken (output digests from the build's state win: they are
   * what the journal reported).
   */
  async verify(name: string): Promise<VerifyResult> {
    const meta = this.get(name);
    const scratch = join(this.dir, `.verify-${name}-${process.pid}`);
    await snapshotWritable(this.pathOf(name), scratch);
    let actual: Record<string, string>;
    try {
      actual = digestTree(scratch);
    } finally {
      await deleteSubvolume(scratch);
    }
    const expected = { ...meta.files };
    for (const a of Object.values(meta.actions)) {
      for (const [p, d] of Object.entries(a.outputs)) {
        const rel = outRelative(meta.outRel, p);
        if (rel) expected[rel] = d;
      }
    }
    const diff = compareTrees(expected, actual);
    return { name, files: Object.keys(expected).length, ok: !diff.changed.length && !diff.missing.length && !diff.extra.length, ...diff };
  }

  /** Apply the retention policy; `dryRun` only reports. */
  async compact(policy: RetentionPolicy, dryRun = false): Promise<RetentionPlan> {
    const plan = planRetention(this.list(), policy);
    if (!dryRun) for (const m of plan.remove) await this.delete(m.name);
    return plan;
  }

  private freshName(reason: string, now: number): string {
    const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('.', '');
    let name = `${stamp}-${reason}`;
    for (let i = 2; existsSync(this.pathOf(name)); i++) name = `${stamp}-${reason}-${i}`;
    return name;
  }
}

/** A root-relative output path as a path inside the out dir, or undefined if it is elsewhere. */
export function outRelative(outRel: string, path: string): string | undefined {
  const r = posix.normalize(relative(outRel, path).split(sep).join('/'));
  return r.startsWith('..') || posix.isAbsolute(r) ? undefined : r;
}

function readActions(snap: string): Record<string, SnapshotAction> {
  let state: { actions?: Record<string, SnapshotAction> };
  try {
    state = JSON.parse(readFileSync(join(snap, '.fester', 'state.json'), 'utf8'));
  } catch {
    return {}; // no build has written here yet: a plain snapshot, useless to the cache
  }
  const out: Record<string, SnapshotAction> = {};
  for (const [id, a] of Object.entries(state.actions ?? {})) out[id] = { key: a.key, pre: a.pre, headers: a.headers ?? [], outputs: a.outputs ?? {} };
  return out;
}

function notSubvolume(outDir: string, why: string): FesterError {
  return new FesterError('FE0901', { message: `out dir ${outDir} ${why}` });
}
