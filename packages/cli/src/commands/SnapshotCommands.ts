import { join, relative } from 'node:path';
import { Option } from 'clipanion';
import * as t from 'typanion';
import { loadProject, type FesterConfig } from '@fester/core';
import type { SnapshotMeta, SnapshotStore } from '@fester/plugin-btrfs';
import { createCompiler, resolveProjectFile } from '../context.js';
import { FesterCommand } from './FesterCommand.js';

/**
 * `fester snapshot …`: Btrfs snapshots of the project's out dir, or with `--vm <node>`
 * internal qcow2 snapshots of a VM node's disk image (see vmSnapshots.ts).
 */
abstract class SnapshotCommand extends FesterCommand {
  project = Option.String('-p,--project', { description: 'project.yaml (default: ./project.yaml)' });
  config = Option.String('-c,--config', { description: 'Path of festerconfig.*' });
  vm = Option.String('--vm', { description: 'A VM node of the qcow2 plugin: act on its disk image instead of the out dir' });
  json = Option.Boolean('--json', false, { description: 'Print JSON' });

  protected async setup(): Promise<{ file: string; config: FesterConfig; cacheDir: string }> {
    const file = resolveProjectFile(this.project);
    const compiler = await createCompiler(file, { config: this.config });
    return { file, config: compiler.config, cacheDir: compiler.cacheDir };
  }

  /** The Btrfs snapshot store of the project's out dir (FE0901 when it is not a subvolume). */
  protected async store(): Promise<{ store: SnapshotStore; config: FesterConfig }> {
    const { file, config } = await this.setup();
    const src = loadProject(file);
    // The plugins are loaded only by these commands: their option schemas would cost every build.
    const { btrfsOptionsOf, snapshotDirOf, SnapshotStore } = await import('@fester/plugin-btrfs');
    const opts = btrfsOptionsOf(config);
    return { store: SnapshotStore.open(join(src.root, src.out), src.out, snapshotDirOf(src.root, opts)), config };
  }

  protected async vmBackend() {
    const { config, cacheDir } = await this.setup();
    const { vmImageOf } = await import('@fester/plugin-qcow2');
    return vmImageOf(config, cacheDir, this.vm!);
  }

  protected print(value: unknown, text: string): void {
    this.context.stdout.write(this.json ? `${JSON.stringify(value, null, 2)}\n` : text);
  }
}

const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
const row = (m: SnapshotMeta) => `${m.name.padEnd(34)} ${when(m.createdAt)}  ${m.reason.padEnd(11)} ${m.green ? 'green' : '     '}  ${Object.keys(m.actions).length} actions, ${Object.keys(m.files).length} files\n`;

export class SnapshotListCommand extends SnapshotCommand {
  static override paths = [['snapshot', 'list']];
  static override usage = SnapshotCommand.Usage({ description: 'List the snapshots of the out dir (or of a VM node\'s image with --vm)' });
  async run(): Promise<number> {
    if (this.vm) { const b = await this.vmBackend(); const l = await b.list(); this.print(l, l.map((s) => `${s.name.padEnd(34)} ${s.date}\n`).join('') || 'no snapshots\n'); return 0; }
    const { store } = await this.store();
    const all = store.list();
    this.print(all.map(({ files, actions, ...m }) => ({ ...m, actions: Object.keys(actions).length, files: Object.keys(files).length, path: store.pathOf(m.name) })), all.map(row).join('') || `no snapshots yet in ${store.dir}\n`);
    return 0;
  }
}

export class SnapshotCreateCommand extends SnapshotCommand {
  static override paths = [['snapshot', 'create']];
  static override usage = SnapshotCommand.Usage({ description: 'Take a read-only snapshot of the out dir now (or an internal snapshot of a VM image with --vm)' });
  name = Option.String({ required: false, name: 'name' });
  async run(): Promise<number> {
    if (this.vm) { const b = await this.vmBackend(); const n = await b.create(this.name); this.print({ name: n }, `created ${n} in ${b.image}\n`); return 0; }
    const { store } = await this.store();
    const m = await store.create('manual', { name: this.name });
    this.print({ name: m.name, path: store.pathOf(m.name) }, `created ${m.name} (${Object.keys(m.files).length} files) at ${store.pathOf(m.name)}\n`);
    return 0;
  }
}

export class SnapshotRestoreCommand extends SnapshotCommand {
  static override paths = [['snapshot', 'restore']];
  static override usage = SnapshotCommand.Usage({
    description: 'Roll the out dir back to a snapshot (instant; the current state is kept as a pre-restore snapshot). With --vm: apply an internal snapshot to the image',
  });
  name = Option.String({ required: true, name: 'name' });
  async run(): Promise<number> {
    if (this.vm) { const b = await this.vmBackend(); await b.apply(this.name); this.print({ applied: this.name }, `applied ${this.name} to ${b.image}\n`); return 0; }
    const { store } = await this.store();
    const { restored, safety } = await store.restore(this.name);
    this.print({ restored: restored.name, safety: safety.name }, `restored ${relative(process.cwd(), store.outDir) || store.outDir} from ${restored.name}\nthe state before is kept as ${safety.name}\n`);
    return 0;
  }
}

export class SnapshotDeleteCommand extends SnapshotCommand {
  static override paths = [['snapshot', 'delete']];
  static override usage = SnapshotCommand.Usage({ description: 'Delete a snapshot' });
  name = Option.String({ required: true, name: 'name' });
  async run(): Promise<number> {
    if (this.vm) { const b = await this.vmBackend(); await b.delete(this.name); this.print({ deleted: this.name }, `deleted ${this.name}\n`); return 0; }
    const { store } = await this.store();
    await store.delete(this.name);
    this.print({ deleted: this.name }, `deleted ${this.name}\n`);
    return 0;
  }
}

export class SnapshotCompactCommand extends SnapshotCommand {
  static override paths = [['snapshot', 'compact']];
  static override usage = SnapshotCommand.Usage({
    description: 'Apply the retention policy: keep the newest N and the newest of each of the last D days. With --vm: flatten the image (qemu-img convert) and reclaim space',
  });
  keepLast = Option.String('--keep-last', { description: 'Keep the newest N (default: plugin option keepLast, 10)', validator: t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(0)]) });
  keepDaily = Option.String('--keep-daily', { description: 'Keep one per day for the last D days with snapshots (default: keepDaily, 7)', validator: t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(0)]) });
  dryRun = Option.Boolean('--dry-run', false, { description: 'Only say what would be removed' });
  async run(): Promise<number> {
    if (this.vm) {
      const b = await this.vmBackend();
      const r = await b.compact(this.keepLast);
      this.print(r, `${b.image}: ${r.before} → ${r.after} bytes; removed ${r.removed.length} snapshot(s)${r.kept ? `, kept ${r.kept}` : ''}\n`);
      return 0;
    }
    const { store, config } = await this.store();
    const o = (await import('@fester/plugin-btrfs')).btrfsOptionsOf(config);
    const plan = await store.compact({ keepLast: this.keepLast ?? o.keepLast, keepDaily: this.keepDaily ?? o.keepDaily }, this.dryRun);
    const verb = this.dryRun ? 'would remove' : 'removed';
    this.print({ kept: plan.keep.map((k) => ({ name: k.meta.name, why: k.why })), removed: plan.remove.map((m) => m.name), dryRun: this.dryRun },
      `${plan.keep.map((k) => `keep   ${k.meta.name}  (${k.why.join(', ')})\n`).join('')}${plan.remove.map((m) => `${verb} ${m.name}\n`).join('')}`);
    return 0;
  }
}

export class SnapshotVerifyCommand extends SnapshotCommand {
  static override paths = [['snapshot', 'verify']];
  static override usage = SnapshotCommand.Usage({
    description: 'Restore snapshots into a scratch subvolume and check every file against its recorded digest (all when no name is given). With --vm: run the rollback test',
  });
  name = Option.String({ required: false, name: 'name' });
  async run(): Promise<number> {
    if (this.vm) {
      const b = await this.vmBackend();
      const r = await b.rollbackTest(this.name);
      this.print(r, r.ok ? `rollback test of ${r.snapshot} on ${this.vm}: ok\n` : `rollback test of ${r.snapshot ?? '(none)'} on ${this.vm}: FAILED: ${r.message}\n`);
      return r.ok ? 0 : 1;
    }
    const { store } = await this.store();
    const names = this.name ? [this.name] : store.list().map((m) => m.name);
    let bad = 0;
    const results = [];
    for (const n of names) {
      const r = await store.verify(n);
      results.push(r);
      if (r.ok) { if (!this.json) this.context.stdout.write(`ok     ${n} (${r.files} files)\n`); continue; }
      bad++;
      if (!this.json) this.context.stdout.write(`error FE0904: snapshot ${n} does not match its recorded digests\n${[...r.changed.map((p) => `  changed ${p}\n`), ...r.missing.map((p) => `  missing ${p}\n`), ...r.extra.map((p) => `  extra   ${p}\n`)].join('')}`);
    }
    if (this.json) this.print(results, '');
    if (bad && !this.json) this.context.stderr.write(`  hint: the snapshot was changed after it was taken; delete it with \`fester snapshot delete <name>\`\n`);
    return bad ? 1 : 0;
  }
}

export const SNAPSHOT_COMMANDS = [SnapshotListCommand, SnapshotCreateCommand, SnapshotRestoreCommand, SnapshotDeleteCommand, SnapshotCompactCommand, SnapshotVerifyCommand];
