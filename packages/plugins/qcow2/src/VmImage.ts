import { createHash } from 'node:crypto';
import { constants, copyFileSync, createReadStream, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FesterError } from '@fester/core';
import { readNodeRecord, updateNodeRecord, type RollbackTestResult } from './NodeRecord.js';
import { qemuImg, requireQcow2, type SnapshotInfo } from './qemuImg.js';

export interface CompactResult { before: number; after: number; removed: string[]; kept: number; snapshot?: string }

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** The disk image of one VM node: internal snapshots, compaction, rollback tests. */
export class VmImage {
  constructor(readonly node: string, readonly image: string, private readonly cacheDir: string) {}

  async list(): Promise<SnapshotInfo[]> {
    return (await requireQcow2(this.image)).snapshots;
  }

  /** `qemu-img snapshot -c`, recording the digest of its disk content for later rollback tests. */
  async create(name?: string): Promise<string> {
    await requireQcow2(this.image);
    const n = name ?? `fester-${new Date().toISOString().replace(/[-:]/g, '').replace('.', '')}`;
    if (!NAME.test(n)) throw new FesterError('FE0903', { message: `"${n}" is not a snapshot name`, hint: 'names use letters, digits, ".", "_" and "-"' });
    if ((await this.list()).some((s) => s.name === n)) throw new FesterError('FE0905', { message: `image ${this.image} already has a snapshot "${n}"`, hint: 'choose another name or delete the old one' });
    await qemuImg(['snapshot', '-c', n, this.image]);
    const digest = await this.withScratch((dir) => this.extract(n, join(dir, 'snap.raw')).then(sha256File));
    updateNodeRecord(this.cacheDir, this.node, (d) => { d.digests[n] = digest; });
    return n;
  }

  /** Roll the image back to a snapshot (`qemu-img snapshot -a`). */
  async apply(name: string): Promise<void> {
    await this.require(name);
    await qemuImg(['snapshot', '-a', name, this.image]);
  }

  async delete(name: string): Promise<void> {
    await this.require(name);
    await qemuImg(['snapshot', '-d', name, this.image]);
    updateNodeRecord(this.cacheDir, this.node, (d) => { delete d.digests[name]; });
  }

  /**
   * Flatten: rewrite the image's current state with `qemu-img convert -O qcow2` into a new
   * file and rename it over the old one. Internal snapshots cannot survive a convert, so all
   * of them are folded away; with keepLast > 0 a fresh snapshot of the compacted state is the
   * new rollback point. An overlay keeps its backing file (-B), only its own clusters shrink.
   * The VM must be stopped (the farm's agent will arrange that).
   */
  async compact(keepLast = 1): Promise<CompactResult> {
    const info = await requireQcow2(this.image);
    const before = statSync(this.image).size;
    const tmp = join(dirname(this.image), `.${process.pid}.fester-compact.qcow2`);
    const backing = info.backing ? ['-B', info.backing, '-F', info.backingFormat ?? 'qcow2'] : [];
    try {
      await qemuImg(['convert', '-O', 'qcow2', ...backing, this.image, tmp]);
      renameSync(tmp, this.image);
    } finally {
      rmSync(tmp, { force: true });
    }
    const removed = info.snapshots.map((s) => s.name);
    updateNodeRecord(this.cacheDir, this.node, (d) => { d.digests = {}; });
    const snapshot = keepLast > 0 ? await this.create(`compacted-${new Date().toISOString().replace(/[-:]/g, '').replace('.', '')}`) : undefined;
    return { before, after: statSync(this.image).size, removed, kept: snapshot ? 1 : 0, ...(snapshot ? { snapshot } : {}) };
  }

  /**
   * Prove a rollback would work without touching the image: apply the snapshot to a scratch
   * copy (reflinked where the filesystem can), extract the snapshot's content with
   * `qemu-img convert -l`, and `qemu-img compare` the two; then check that content against the
   * digest recorded when Fester took the snapshot (catches rot in clusters it shares). The
   * result is persisted per node: the production rule reads it.
   */
  async rollbackTest(name?: string): Promise<RollbackTestResult> {
    const result = await this.runTest(name).catch((e: unknown): RollbackTestResult => ({ ok: false, at: Date.now(), ...(name ? { snapshot: name } : {}), message: e instanceof Error ? e.message : String(e) }));
    updateNodeRecord(this.cacheDir, this.node, (d) => { d.lastRollbackTest = result; });
    return result;
  }

  private async runTest(name?: string): Promise<RollbackTestResult> {
    const snaps = await this.list();
    const snap = name ?? snaps.at(-1)?.name;
    const at = Date.now();
    if (!snap) return { ok: false, at, message: 'the image has no snapshot to roll back to' };
    if (!snaps.some((s) => s.name === snap)) return { ok: false, at, snapshot: snap, message: `snapshot "${snap}" does not exist in ${this.image}` };
    const check = await qemuImg(['check', '-U', '-q', this.image], [1, 2, 3]);
    if (check.code === 1 || check.code === 2) return { ok: false, at, snapshot: snap, message: `qemu-img check found errors: ${check.stderr.trim() || check.stdout.trim()}` };
    return this.withScratch(async (dir) => {
      const copy = join(dir, 'rollback.qcow2');
      copyFileSync(this.image, copy, constants.COPYFILE_FICLONE);
      await qemuImg(['snapshot', '-a', snap, copy]);
      const ref = await this.extract(snap, join(dir, 'snap.raw'));
      const cmp = await qemuImg(['compare', '-f', 'qcow2', '-F', 'raw', copy, ref], [1]);
      if (cmp.code === 1) return { ok: false, at, snapshot: snap, message: `rolled-back image differs from the snapshot: ${cmp.stdout.trim()}` };
      const want = readNodeRecord(this.cacheDir, this.node).digests[snap];
      if (want && (await sha256File(ref)) !== want) return { ok: false, at, snapshot: snap, message: `content of snapshot "${snap}" changed since it was taken (digest mismatch)` };
      return { ok: true, at, snapshot: snap, message: want ? 'identical; digest matches' : 'identical (snapshot not taken by Fester: no digest to check)' };
    });
  }

  private async require(name: string): Promise<void> {
    const snaps = await this.list();
    if (!snaps.some((s) => s.name === name)) {
      throw new FesterError('FE0903', { message: `image ${this.image} has no snapshot "${name}"${snaps.length ? ` (it has: ${snaps.map((s) => s.name).join(', ')})` : ' (it has none)'}`, hint: `list them with \`fester snapshot list --vm ${this.node}\`` });
    }
  }

  private async extract(snap: string, out: string): Promise<string> {
    await qemuImg(['convert', '-U', '-l', `snapshot.name=${snap}`, '-f', 'qcow2', '-O', 'raw', this.image, out]);
    return out;
  }

  private async withScratch<T>(fn: (dir: string) => Promise<T>): Promise<T> {
    mkdirSync(join(this.cacheDir, 'qcow2'), { recursive: true });
    const dir = mkdtempSync(join(this.cacheDir, 'qcow2', 'scratch-'));
    try { return await fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
  }
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path).on('data', (c) => h.update(c)).on('error', reject).on('end', () => resolve(h.digest('hex')));
  });
}
