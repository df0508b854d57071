import { availableParallelism, homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Build, type BuildRequest } from './Build.js';
import { applyDefaults } from './builtin/applyDefaults.js';
import type { FesterConfig, FesterPlugin } from './config/types.js';
import { CacheTierRegistry } from './cache/CacheTier.js';
import { createCompilerHooks, type CompilerHooks } from './hooks.js';
import { Journal } from './journal/Journal.js';
import { newSessionId, sessionsDir } from './journal/sessions.js';
import type { BuildResult, NodeInfo } from './types.js';
import { VERSION } from './version.js';

export interface CompilerOptions {
  config?: FesterConfig;
  /** Where the config came from, for messages; undefined when there was none. */
  configFile?: string;
  cacheDir?: string;
  jobs?: number;
}

/** `$FESTER_CACHE_DIR`, else `$XDG_CACHE_HOME/fester`, else `~/.cache/fester`. */
export function defaultCacheDir(): string {
  if (process.env.FESTER_CACHE_DIR) return resolve(process.env.FESTER_CACHE_DIR);
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg ? resolve(xdg) : join(homedir(), '.cache'), 'fester');
}

/**
 * Long-lived: holds config, plugins, hooks and the node registry, and makes one Build per
 * run (webpack's Compiler/Compilation split). One Compiler is one session.
 */
export class Compiler {
  readonly hooks: CompilerHooks = createCompilerHooks();
  readonly config: FesterConfig;
  readonly configFile?: string;
  readonly cacheDir: string;
  readonly jobs: number;
  readonly sessionId = newSessionId();
  /** Nodes that can run actions; the embedded default registers one `local` node. */
  readonly nodes: NodeInfo[] = [];
  /** Cache tiers for `fester cache stats|verify|gc`; tier plugins register here in apply(). */
  readonly cacheTiers = new CacheTierRegistry();
  private journal?: Journal;
  private buildCount = 0;

  constructor(options: CompilerOptions = {}) {
    this.config = options.config ?? { plugins: [] };
    this.configFile = options.configFile;
    this.cacheDir = options.cacheDir ?? this.config.cacheDir ?? defaultCacheDir();
    this.jobs = options.jobs ?? this.config.jobs ?? availableParallelism();
    // User plugins first, then the defaults: bail hooks ask the user's taps before ours.
    for (const p of this.config.plugins ?? []) p.apply(this);
    applyDefaults(this);
    this.hooks.initialize.call();
  }

  /** Apply one more plugin (tests and programmatic users). */
  use(plugin: FesterPlugin): this {
    plugin.apply(this);
    return this;
  }

  /** The session journal, opened next to the first project built. */
  journalFor(projectFile: string): Journal {
    if (!this.journal) {
      const dir = sessionsDir(dirname(resolve(projectFile)));
      this.journal = new Journal(join(dir, `${this.sessionId}.jsonl`), this.sessionId);
      this.journal.append({ type: 'session.started', version: VERSION, cwd: process.cwd(), pid: process.pid });
    }
    return this.journal;
  }

  nextBuildId(): string {
    return `${this.sessionId}.${++this.buildCount}`;
  }

  createBuild(request: BuildRequest): Build {
    const build = new Build(this, request);
    this.hooks.build.call(build);
    return build;
  }

  async run(request: BuildRequest): Promise<BuildResult> {
    return this.createBuild(request).run();
  }

  /** Flush and close the journal; plugins release what they hold. */
  async close(): Promise<void> {
    await this.hooks.shutdown.promise();
    this.journal?.close();
  }

  /** Synchronous last-chance flush for signal handlers. */
  flushJournal(): void {
    this.journal?.flush();
  }
}
