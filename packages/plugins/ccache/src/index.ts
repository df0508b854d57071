import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { FesterError, parseSize, pluginOptions, PluginOptionError, which, type Build, type FesterPlugin } from '@fester/core';
import { z } from '@fester/core/zod';
import { diffStats, readStats, type CcacheCounters } from './ccacheStats.js';

const NAME = '@fester/plugin-ccache';

const schema = z.strictObject({
  /** The ccache binary; default: `ccache` on PATH. */
  path: z.string().min(1).optional(),
  /** Parent of the per-node CCACHE_DIRs; default <Fester cache dir>/ccache. */
  dir: z.string().min(1).optional(),
  /** ccache's own size limit per node (`max_size`), e.g. '2G'. */
  maxSize: z.union([z.number().int().positive(), z.string().min(1)]).optional(),
});

export type CcacheOptions = z.input<typeof schema>;

/**
 * Compile actions run through Debian's ccache: a second line of caching below Fester's action
 * cache, which still hits when the action key changed but the preprocessed source did not
 * (a touched header, a new checkout). Outputs stay byte-identical: ccache returns what the
 * compiler wrote, and the core's -ffile-prefix-map keeps paths out of the objects.
 */
export default function ccache(options: CcacheOptions = {}): FesterPlugin {
  const opts = pluginOptions(NAME, schema, options);
  let maxSize: number | undefined;
  if (opts.maxSize !== undefined) {
    try { maxSize = parseSize(opts.maxSize, 'maxSize'); } catch (e) {
      throw new PluginOptionError(NAME, 'maxSize', `plugin "${NAME}": option "maxSize": ${(e as Error).message}`, 'give a size with a unit: 512M, 2G');
    }
  }
  return {
    name: NAME,
    apply(compiler) {
      const bin = which(opts.path ?? 'ccache');
      if (!bin) throw new FesterError('FE0507', { message: `ccache not found${opts.path ? ` at ${opts.path}` : ' on PATH'}` });
      const base = opts.dir ? resolve(opts.dir) : join(compiler.cacheDir, 'ccache');
      // One CCACHE_DIR per node: nodes never share a directory over the network (ccache's rule).
      const dirOf = (node: string) => join(base, node.replace(/[^A-Za-z0-9._-]/g, '_'));
      const before = new WeakMap<Build, Map<string, CcacheCounters>>();

      compiler.hooks.beforeBuild.tapPromise(NAME, async (build) => {
        const m = new Map<string, CcacheCounters>();
        for (const n of compiler.nodes) {
          const dir = dirOf(n.id);
          mkdirSync(dir, { recursive: true });
          if (maxSize !== undefined) await execa(bin, ['--max-size', String(maxSize)], { env: { CCACHE_DIR: dir }, reject: false });
          m.set(n.id, await readStats(bin, dir));
        }
        before.set(build, m);
      });

      compiler.hooks.build.tap(NAME, (build) => {
        // After the core's -ffile-prefix-map (stage −100): argv[0] is still the compiler here.
        build.hooks.wrapCommand.tap({ name: NAME, stage: 0 }, (cmd, action) => {
          if (action.kind !== 'compile') return cmd;
          // The command does not say its node; the embedded default has one, `local`.
          const node = compiler.nodes.length === 1 ? compiler.nodes[0]!.id : 'local';
          return {
            ...cmd,
            argv: [bin, ...cmd.argv],
            env: {
              ...cmd.env,
              CCACHE_DIR: dirOf(node),
              // Relative paths in the hash: another checkout of the project hits.
              CCACHE_BASEDIR: build.project!.root,
              // The cwd is hashed only for debug info, which -ffile-prefix-map already rewrote to `.`.
              CCACHE_NOHASHDIR: '1',
            },
          };
        });
      });

      compiler.hooks.afterBuild.tapPromise(NAME, async (build) => {
        const m = before.get(build);
        if (!m) return;
        for (const [node, b] of m) {
          const dir = dirOf(node);
          const d = diffStats(await readStats(bin, dir), b);
          build.emit({ type: 'ccache.stats', node, dir, hits: d.directHits + d.preprocessedHits, directHits: d.directHits, preprocessedHits: d.preprocessedHits, misses: d.misses, uncacheable: d.uncacheable, errors: d.errors, filesBytes: d.filesBytes });
        }
      });
    },
  };
}
