import type { Compiler } from '../Compiler.js';
import { apiPlugin } from '../api/apiPlugin.js';
import { localCachePlugin } from '../cache/localCachePlugin.js';
import { gccToolchainPlugin } from './GccToolchainPlugin.js';
import { localExecutorPlugin } from './LocalExecutorPlugin.js';
import { outputsExistPlugin } from './OutputsExistPlugin.js';
import { projectYamlPlugin } from './ProjectYamlPlugin.js';
import { reproduciblePathsPlugin } from './ReproduciblePathsPlugin.js';
import { eligibilityPlugin } from '../scheduler/eligibility.js';
import { farmClientPlugin } from '../farm/client/farmClientPlugin.js';
import { farmEndpoint } from '../farm/client/endpoint.js';

/**
 * Built-in behaviour, applied after the user's plugins through the same public hooks
 * (webpack's WebpackOptionsApply). Nothing here is special: a plugin can replace any of it.
 */
export function applyDefaults(compiler: Compiler): void {
  const farm = compiler.config.farm;
  // With a farm, its nodes replace the embedded one (the local executor then registers none).
  const executor = farm ? farmClientPlugin(farmEndpoint(farm)) : localExecutorPlugin();
  for (const p of [projectYamlPlugin(), gccToolchainPlugin(), localCachePlugin(), executor, eligibilityPlugin(), reproduciblePathsPlugin(), outputsExistPlugin(), apiPlugin()]) {
    p.apply(compiler);
  }
}
