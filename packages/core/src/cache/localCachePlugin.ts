import type { Compiler } from '../Compiler.js';
import type { FesterPlugin } from '../config/types.js';
import { LocalTier } from './LocalTier.js';

/** Stage of each tier kind on cacheGet (DESIGN §2): memory/tmpfs −10, local disk 0, network 20. */
export const CACHE_STAGE = { memory: -10, local: 0, network: 20 } as const;

/** The local disk tier on `cacheGet` / `cacheStore`. */
export function localCachePlugin(): FesterPlugin {
  return {
    name: 'fester:local-cache',
    apply(compiler: Compiler) {
      const tier = new LocalTier(compiler.cacheDir);
      compiler.hooks.build.tap('fester:local-cache', (build) => {
        build.hooks.cacheGet.tapPromise({ name: 'fester:local-cache', stage: CACHE_STAGE.local }, (req) =>
          tier.get(req.key, (r) => build.emit({ type: 'cache.corrupt', tier: tier.name, key: r.key, ...(r.digest ? { digest: r.digest } : {}), message: r.message })));
        build.hooks.cacheStore.tapPromise('fester:local-cache', (req) => tier.store(req.key, req.entry, req.blobs));
      });
    },
  };
}
