import type { Compiler } from '../Compiler.js';
import type { FesterPlugin } from '../config/types.js';
import { storeIsFor } from './CacheTier.js';
import { LocalTier } from './LocalTier.js';
import { parseSize } from './size.js';

/** Stage of each tier kind on cacheGet (DESIGN §2): memory/tmpfs −10, local disk 0, network 20. */
export const CACHE_STAGE = { memory: -10, local: 0, network: 20 } as const;

/** The local disk tier on `cacheGet` / `cacheStore`, registered for `fester cache` commands. */
export function localCachePlugin(): FesterPlugin {
  return {
    name: 'fester:local-cache',
    apply(compiler: Compiler) {
      const limit = compiler.config.cache?.local?.maxSize;
      const tier = new LocalTier(compiler.cacheDir, limit === undefined ? undefined : parseSize(limit, 'cache.local.maxSize'));
      compiler.cacheTiers.register(tier);
      compiler.hooks.build.tap('fester:local-cache', (build) => {
        build.hooks.cacheGet.tapPromise({ name: 'fester:local-cache', stage: CACHE_STAGE.local }, (req) =>
          tier.get(req.key, (r) => build.emit({ type: 'cache.corrupt', tier: tier.name, key: r.key, ...(r.digest ? { digest: r.digest } : {}), message: r.message })));
        build.hooks.cacheStore.tapPromise('fester:local-cache', async (req) => {
          if (storeIsFor(req, tier.durability)) await tier.store(req.key, req.entry, req.blobs);
        });
        if (tier.maxBytes === undefined) return;
        // After any write-back (later stage), before the build is reported done: enforce the limit.
        build.hooks.syncBarrier.tapPromise({ name: 'fester:local-cache', stage: 100 }, async () => {
          const r = await tier.gc();
          if (r.removedEntries || r.removedBytes) build.emit({ type: 'cache.evicted', tier: tier.name, entries: r.removedEntries, bytes: r.removedBytes, remainingBytes: r.bytes, maxBytes: tier.maxBytes! });
        });
      });
    },
  };
}
