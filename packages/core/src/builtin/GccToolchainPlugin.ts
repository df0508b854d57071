import type { Compiler } from '../Compiler.js';
import type { FesterPlugin } from '../config/types.js';
import { gccToolchain } from '../toolchain/gccToolchain.js';

/**
 * `resolveToolchain` for every known target: host, the Debian cross toolchains, and the
 * ones configured under `toolchains` in festerconfig.ts.
 */
export function gccToolchainPlugin(): FesterPlugin {
  return {
    name: 'fester:gcc-toolchain',
    apply(compiler: Compiler) {
      compiler.hooks.build.tap('fester:gcc-toolchain', (build) => {
        build.hooks.resolveToolchain.tapPromise('fester:gcc-toolchain', (req) =>
          gccToolchain(req.target, compiler.cacheDir, compiler.config.toolchains?.[req.target], req.origin));
      });
    },
  };
}
