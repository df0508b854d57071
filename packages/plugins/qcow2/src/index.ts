import { FesterError, pluginOptions, type Compiler, type FesterConfig, type FesterPlugin } from '@fester/core';
import { z } from '@fester/core/zod';
import { readNodeRecord } from './NodeRecord.js';
import { isProduction, productionBlock } from './productionGuard.js';
import { VmImage } from './VmImage.js';

export const PLUGIN_NAME = '@fester/plugin-qcow2';

const node = z.strictObject({
  id: z.string().min(1),
  /** Path of the node's qcow2 disk image. */
  image: z.string().min(1),
  /** A passing rollback test older than this blocks production builds on the node. */
  maxRollbackTestAgeHours: z.number().positive().default(24),
  arch: z.string().optional(),
  slots: z.number().int().positive().default(1),
  targets: z.array(z.string()).default(['*']),
  /** Take an internal snapshot of the image before every build (the VM must tolerate it). */
  snapshotBeforeBuild: z.boolean().default(false),
  /**
   * Put the node in the registry. Until the distributed farm exists this is how a VM node
   * becomes a scheduling candidate; with the farm, agents register their own nodes.
   */
  register: z.boolean().default(true),
});

const schema = z.strictObject({ nodes: z.array(node).min(1) });

export type Qcow2Options = z.input<typeof schema>;
export type Qcow2NodeOptions = z.output<typeof node>;
export interface Qcow2Plugin extends FesterPlugin { readonly options: z.output<typeof schema> }

export default function qcow2(options: Qcow2Options): Qcow2Plugin {
  const opts = pluginOptions(PLUGIN_NAME, schema, options);
  return {
    name: PLUGIN_NAME,
    options: opts,
    apply(compiler: Compiler) {
      // Stage 10: after the local executor has registered `local` (it only does so into an
      // empty registry), so the VM nodes join it instead of replacing it.
      compiler.hooks.initialize.tap({ name: PLUGIN_NAME, stage: 10 }, () => {
        for (const n of opts.nodes) {
          if (!n.register || compiler.nodes.some((x) => x.id === n.id)) continue;
          compiler.nodes.push({ id: n.id, kind: 'vm', arch: n.arch ?? process.arch, slots: n.slots, targets: n.targets, labels: { image: n.image } });
        }
      });
      compiler.hooks.build.tap(PLUGIN_NAME, (build) => {
        let blocks: Map<string, string | undefined> | undefined;
        build.hooks.schedule.tap(PLUGIN_NAME, (candidates) => {
          if (!isProduction(build)) return candidates;
          // Read each node's last rollback test once per build: decisions in one build agree.
          blocks ??= new Map(opts.nodes.map((n) => [n.id, productionBlock(readNodeRecord(compiler.cacheDir, n.id).lastRollbackTest, n.maxRollbackTestAgeHours)]));
          for (const c of candidates) {
            const reason = c.node.kind === 'vm' ? blocks.get(c.node.id) : undefined;
            if (reason && !c.filtered) c.filtered = reason;
          }
          return candidates;
        });
        build.hooks.snapshot.tapPromise(PLUGIN_NAME, async (req) => {
          if (req.phase !== 'before') return;
          for (const n of opts.nodes.filter((x) => x.snapshotBeforeBuild)) {
            const name = await new VmImage(n.id, n.image, compiler.cacheDir).create(`fester-before-${build.id.replace(/[^A-Za-z0-9._-]/g, '_')}`);
            build.emit({ type: 'plugin.event', plugin: PLUGIN_NAME, name: 'snapshot.created', data: { node: n.id, image: n.image, name } });
          }
        });
      });
    },
  };
}

/** The image of a configured VM node (CLI `fester snapshot … --vm <node>`), or FE0910. */
export function vmImageOf(config: FesterConfig, cacheDir: string, nodeId: string): VmImage {
  const p = config.plugins?.find((x) => x.name === PLUGIN_NAME) as Qcow2Plugin | undefined;
  const n = p?.options.nodes.find((x) => x.id === nodeId);
  if (!n) {
    const known = p?.options.nodes.map((x) => x.id) ?? [];
    throw new FesterError('FE0910', { message: `no VM node "${nodeId}"${known.length ? ` (configured: ${known.join(', ')})` : ' (the qcow2 plugin is not in festerconfig)'}` });
  }
  return new VmImage(n.id, n.image, cacheDir);
}

export { VmImage, type CompactResult } from './VmImage.js';
export { readNodeRecord, type RollbackTestResult } from './NodeRecord.js';
export { productionBlock, isProduction } from './productionGuard.js';
export { imageInfo, requireQcow2, qemuImg, type SnapshotInfo, type ImageInfo } from './qemuImg.js';
