import type { Compiler } from '../Compiler.js';
import { localCachePlugin } from '../cache/localCachePlugin.js';
import { gccToolchainPlugin } from './GccToolchainPlugin.js';
import { localExecutorPlugin } from './LocalExecutorPlugin.js';
import { outputsExistPlugin } from './OutputsExistPlugin.js';
import { projectYamlPlugin } from './ProjectYamlPlugin.js';
import { reproduciblePathsPlugin } from './ReproduciblePathsPlugin.js';

/**
 * Built-in behaviour, applied after the user's plugins through the same public hooks
 * (webpack's WebpackOptionsApply). Nothing here is special: a plugin can replace any of it.
 */
export function applyDefaults(compiler: Compiler): void {
  for (const p of [projectYamlPlugin(), gccToolchainPlugin(), localCachePlugin(), localExecutorPlugin(), reproduciblePathsPlugin(), outputsExistPlugin()]) {
    p.apply(compiler);
  }
}
