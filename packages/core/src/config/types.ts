import type { Compiler } from '../Compiler.js';
import type { ToolchainConfig } from '../toolchain/gccToolchain.js';

/** A plugin: made by a factory that takes its options (DESIGN §4). */
export interface FesterPlugin {
  name: string;
  apply(compiler: Compiler): void;
}

export interface FesterConfig {
  plugins?: FesterPlugin[];
  /** Parallel actions; default: the number of cores. */
  jobs?: number;
  /** Local cache folder; default $FESTER_CACHE_DIR or ~/.cache/fester. */
  cacheDir?: string;
  /** Settings per cache tier by name, e.g. `{ local: { maxSize: '10G' } }` (LRU after each build). */
  cache?: Record<string, { maxSize?: number | string; [k: string]: unknown }>;
  /** Scheduler settings, read by scheduler plugins. */
  scheduler?: { mode?: string; [k: string]: unknown };
  /** Toolchains by target, replacing discovery (prefix, search path, sysroot, tools). */
  toolchains?: Record<string, ToolchainConfig>;
  /** Every build of this config is a production build (placement guards apply); `--production` sets it per build. */
  production?: boolean;
  /**
   * Send builds to a farm instead of the embedded node. `http://` URLs authenticate with the
   * farm token (`token` or $FESTER_FARM_TOKEN); `https://` URLs with mTLS using the files in
   * `tls` (ca.pem, <certName>.pem/.key; certName defaults to `client`).
   */
  farm?: { url: string; token?: string; tls?: string; certName?: string };
  /**
   * Session journals: `keep` the newest N per project (default 1000), or `'all'`. Older ones
   * are deleted when a session opens its journal, and the new journal lists them (`journal.pruned`).
   */
  journal?: { keep?: number | 'all' };
}

/** Identity function that gives festerconfig.ts its types. */
export function defineConfig(config: FesterConfig): FesterConfig {
  return config;
}
