import { createHash } from 'node:crypto';
import { writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CACHE_STAGE, parseSize, pluginOptions, PluginOptionError, storeIsFor, type Build, type FesterPlugin } from '@fester/core';
import { z } from '@fester/core/zod';
import { TmpfsStore } from './TmpfsStore.js';
import { TmpfsTier } from './TmpfsTier.js';
import { TIER, WriteBack } from './WriteBack.js';

const NAME = '@fester/plugin-tmpfs';

const schema = z.strictObject({
  /** A tmpfs mount or a folder under /dev/shm; default /dev/shm/fester-<uid>-<hash of the cache dir>. */
  dir: z.string().min(1).optional(),
  /** RAM the tier may use (LRU beyond it); default 256M, or festerconfig `cache.tmpfs.maxSize`. */
  maxSize: z.union([z.number().int().positive(), z.string().min(1)]).optional(),
});

export type TmpfsOptions = z.input<typeof schema>;

/** One folder per cache dir, so separate caches (and tests) never share RAM entries. */
function defaultDir(cacheDir: string): string {
  const h = createHash('sha256').update(resolve(cacheDir)).digest('hex').slice(0, 12);
  return join('/dev/shm', `fester-${process.getuid?.() ?? 0}-${h}`);
}

function sizeOption(v: string | number): number {
  try { return parseSize(v, 'maxSize'); } catch (e) {
    throw new PluginOptionError(NAME, 'maxSize', `plugin "${NAME}": option "maxSize": ${(e as Error).message}`, 'give bytes or a size with a unit: 512k, 64M, 2G');
  }
}

/**
 * A RAM-backed cache tier at stage −10. During a build it takes every store and holds the
 * persistent tiers' writes (`build.writeBackTiers`); at the sync barrier it writes them back,
 * so a build is reported done only once its outputs are durable. A tier that cannot write
 * (full, read-only) is bypassed with a `cache.fallback` event: stores go straight through.
 */
export default function tmpfs(options: TmpfsOptions = {}): FesterPlugin {
  const opts = pluginOptions(NAME, schema, options);
  return {
    name: NAME,
    apply(compiler) {
      const limit = opts.maxSize ?? compiler.config.cache?.[TIER]?.maxSize ?? '256M';
      const store = new TmpfsStore(opts.dir ? resolve(opts.dir) : defaultDir(compiler.cacheDir), sizeOption(limit));
      compiler.cacheTiers.register(new TmpfsTier(store));
      const states = new WeakMap<Build, { wb: WriteBack; usable: boolean }>();
      // Index updates and evictions of concurrent stores must not interleave.
      let lock: Promise<unknown> = Promise.resolve();
      const serial = <T>(fn: () => Promise<T>): Promise<T> => {
        const p = lock.then(fn);
        lock = p.catch(() => {});
        return p;
      };
      const fallback = (build: Build, key: string, message: string) =>
        build.emit({ type: 'cache.fallback', tier: TIER, key, code: 'FE0505', message, fallback: 'write-through' });

      compiler.hooks.beforeBuild.tapPromise(NAME, async (build) => {
        const state = { wb: new WriteBack(build, store), usable: false };
        states.set(build, state);
        try {
          store.ensure();
          // A folder that exists but takes no bytes (read-only, full) is as unusable as a missing one.
          const probe = join(store.dir, `.probe-${process.pid}`);
          writeFileSync(probe, 'ok');
          rmSync(probe, { force: true });
          await store.load();
          state.usable = true;
          build.writeBackTiers.add(TIER);
        } catch (e) {
          fallback(build, '', `${store.dir} is not usable (${(e as Error).message}); tier bypassed for this build`);
        }
      });

      compiler.hooks.build.tap(NAME, (build) => {
        build.hooks.cacheGet.tapPromise({ name: NAME, stage: CACHE_STAGE.memory }, async (req) => {
          if (!states.get(build)?.usable) return undefined;
          const got = await store.read(req.key);
          if (got.kind === 'hit') return { tier: TIER, entry: got.entry, blobs: got.blobs };
          if (got.kind === 'corrupt') {
            await serial(() => store.remove(req.key, got.digest));
            build.emit({ type: 'cache.corrupt', tier: TIER, key: req.key, ...(got.digest ? { digest: got.digest } : {}), message: got.message });
          }
          return undefined;
        });

        build.hooks.cacheStore.tapPromise({ name: NAME, stage: CACHE_STAGE.memory }, async (req) => {
          const state = states.get(build);
          if (!state?.usable || !storeIsFor(req, 'volatile')) return;
          const held = req.tiers === 'volatile';
          const stored = await serial(async () => {
            try {
              const need = store.cost(req.entry, req.blobs);
              if (!(await state.wb.makeRoom(need))) throw new Error(`entry of ${need} bytes does not fit in the ${store.maxBytes}-byte cap`);
              await store.write(req.key, req.entry, req.blobs, held);
              if (held) state.wb.add(req.key, req.action);
              return true;
            } catch (e) {
              fallback(build, req.key, `${(e as Error).message}; written through to the persistent tiers`);
              return false;
            }
          });
          // Nothing is lost: what RAM could not take goes to the persistent tiers now.
          if (!stored && held) await state.wb.writeThrough(req);
        });

        build.hooks.syncBarrier.tapPromise({ name: NAME, stage: CACHE_STAGE.memory }, async () => {
          const state = states.get(build);
          if (state?.usable) await serial(() => state.wb.barrier());
        });
      });
    },
  };
}
