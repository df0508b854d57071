import type { Compiler } from '../Compiler.js';
import type { FesterPlugin } from '../config/types.js';
import { hostToolchain } from '../toolchain/hostToolchain.js';

/** `resolveToolchain` for `host`: the machine's own gcc, ar and binutils. */
export function hostToolchainPlugin(): FesterPlugin {
  return {
    name: 'fester:host-toolchain',
    apply(compiler: Compiler) {
      compiler.hooks.build.tap('fester:host-toolchain', (build) => {
        build.hooks.resolveToolchain.tapPromise('fester:host-toolchain', async (req) =>
          req.target === 'host' ? await hostToolchain(compiler.cacheDir, req.origin) : undefined);
      });
    },
  };
}
