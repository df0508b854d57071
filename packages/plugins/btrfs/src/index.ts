import { existsSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { pluginOptions, type Build, type Compiler, type FesterConfig, type FesterPlugin } from '@fester/core';
import { z } from '@fester/core/zod';
import { createSubvolume } from './btrfsTool.js';
import { inspectOutDir, type OutDirKind } from './detect.js';
import { SnapshotCache, SNAPSHOT_TIER } from './snapshotCache.js';
import { SnapshotStore } from './SnapshotStore.js';

export const PLUGIN_NAME = '@fester/plugin-btrfs';

const schema = z.strictObject({
  /** Where snapshots go (same filesystem as the out dir); relative to the project root. */
  dir: z.string().min(1).optional(),
  /** Snapshot the out dir before each build (the state a bad build would overwrite). */
  before: z.boolean().default(true),
  /** Snapshot after each green build (these feed the snapshot cache). */
  after: z.boolean().default(true),
  /** Serve action outputs from green snapshots by reflink. */
  cache: z.boolean().default(true),
  /** Create a missing out dir as a subvolume when its parent is on Btrfs. */
  createSubvolume: z.boolean().default(true),
  keepLast: z.number().int().min(1).default(10),
  keepDaily: z.number().int().min(0).default(7),
  /** Apply the retention policy after every green snapshot (periodic compaction). */
  autoCompact: z.boolean().default(true),
});

export type BtrfsOptions = z.input<typeof schema>;
export type ResolvedBtrfsOptions = z.output<typeof schema>;
export interface BtrfsPlugin extends FesterPlugin { readonly options: ResolvedBtrfsOptions }

/** Stage before every other tier: a reflink is cheaper than any copy. */
const CACHE_STAGE_SNAPSHOT = -20;

export default function btrfs(options?: BtrfsOptions): BtrfsPlugin {
  const opts = pluginOptions(PLUGIN_NAME, schema, options ?? {});
  return {
    name: PLUGIN_NAME,
    options: opts,
    apply(compiler: Compiler) {
      let warned = false;
      compiler.hooks.build.tap(PLUGIN_NAME, (build) => {
        let store: SnapshotStore | null | undefined;
        let cache: SnapshotCache | undefined;
        const open = async (): Promise<SnapshotStore | null> => {
          if (store !== undefined) return store;
          let kind = inspectOutDir(build.outDir);
          if (kind.kind === 'missing' && kind.parentOnBtrfs && opts.createSubvolume) {
            mkdirSync(dirname(build.outDir), { recursive: true });
            await createSubvolume(build.outDir);
            build.emit({ type: 'plugin.event', plugin: PLUGIN_NAME, name: 'subvolume.created', data: { path: build.outDir } });
            kind = inspectOutDir(build.outDir);
          }
          if (kind.kind !== 'subvolume') {
            // Not an error: snapshots are an extra. Say so once per session, journal it per build.
            const why = inertReason(kind);
            build.emit({ type: 'plugin.event', plugin: PLUGIN_NAME, name: 'inert', data: { code: 'FE0901', outDir: build.outDir, reason: why } });
            if (!warned) process.stderr.write(`warning FE0901: out dir ${build.outDir} ${why}: no snapshots are taken\n  hint: to use snapshots, make it a Btrfs subvolume: btrfs subvolume create <out>\n`);
            warned = true;
            store = null;
            return null;
          }
          store = SnapshotStore.open(build.outDir, build.project!.out, snapshotDirOf(build.project!.root, opts));
          return store;
        };
        build.hooks.snapshot.tapPromise(PLUGIN_NAME, async (req) => {
          if (!(req.phase === 'before' ? opts.before : opts.after)) return;
          const s = await open();
          if (!s) return;
          // Nothing built here yet: a snapshot of an empty dir would only clutter the list.
          if (req.phase === 'before' && inspectEmpty(build)) return;
          const meta = await s.create(req.phase, { build: build.id, green: req.phase === 'after' });
          build.emit({ type: 'plugin.event', plugin: PLUGIN_NAME, name: 'snapshot.created', data: { name: meta.name, reason: meta.reason, green: meta.green, files: Object.keys(meta.files).length, path: s.pathOf(meta.name) } });
          if (req.phase === 'after' && opts.autoCompact) {
            const plan = await s.compact({ keepLast: opts.keepLast, keepDaily: opts.keepDaily });
            if (plan.remove.length) build.emit({ type: 'plugin.event', plugin: PLUGIN_NAME, name: 'snapshot.compacted', data: { removed: plan.remove.map((m) => m.name), kept: plan.keep.length } });
          }
        });
        if (opts.cache) {
          build.hooks.cacheGet.tapPromise({ name: PLUGIN_NAME, stage: CACHE_STAGE_SNAPSHOT }, async (req) => {
            const s = await open();
            if (!s) return undefined;
            cache ??= new SnapshotCache(s, (key, message) => build.emit({ type: 'cache.corrupt', tier: SNAPSHOT_TIER, key, message }));
            return cache.get(build.project!.root, req.action, req.key);
          });
        }
      });
    },
  };
}

function inertReason(k: Exclude<OutDirKind, { kind: 'subvolume' }>): string {
  if (k.kind === 'not-btrfs') return `is on ${k.fsType}, not Btrfs`;
  if (k.kind === 'not-subvolume') return 'is on Btrfs but is not a subvolume';
  return k.parentOnBtrfs ? 'does not exist (createSubvolume is off)' : `does not exist and its parent is on ${k.fsType}, not Btrfs`;
}

function inspectEmpty(build: Build): boolean {
  return !existsSync(join(build.outDir, '.fester', 'state.json'));
}

/** The snapshot folder for a project, from the plugin's `dir` option (or the default beside the out dir). */
export function snapshotDirOf(root: string, opts: Pick<ResolvedBtrfsOptions, 'dir'>): string | undefined {
  if (!opts.dir) return undefined;
  return isAbsolute(opts.dir) ? opts.dir : join(root, opts.dir);
}

/** The options of the btrfs plugin listed in a config, or the defaults (CLI commands). */
export function btrfsOptionsOf(config: FesterConfig): ResolvedBtrfsOptions {
  const p = config.plugins?.find((x) => x.name === PLUGIN_NAME) as BtrfsPlugin | undefined;
  return p?.options ?? pluginOptions(PLUGIN_NAME, schema, {});
}

export { SnapshotStore, defaultSnapshotDir, type VerifyResult } from './SnapshotStore.js';
export { planRetention, DEFAULT_RETENTION, type RetentionPolicy, type RetentionPlan } from './retention.js';
export { inspectOutDir, type OutDirKind } from './detect.js';
export { SNAPSHOT_TIER } from './snapshotCache.js';
export type { SnapshotMeta } from './meta.js';
