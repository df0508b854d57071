import { availableParallelism, homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Build, type BuildRequest } from './Build.js';
import { isFesterError } from './errors/FesterError.js';
import { PluginError } from './errors/PluginError.js';
import { applyDefaults } from './builtin/applyDefaults.js';
import type { FesterConfig, FesterPlugin } from './config/types.js';
import { CacheTierRegistry } from './cache/CacheTier.js';
import { createCompilerHooks, type CompilerHooks } from './hooks.js';
import { HttpRoutes } from './http/HttpRoutes.js';
import type { EventPayload, FesterEvent } from './journal/events.js';
import { Journal } from './journal/Journal.js';
import { newSessionId, sessionsDir } from './journal/sessions.js';
import { DEFAULT_KEEP_SESSIONS, pruneSessions } from './journal/retention.js';
import type { BuildResult, NodeInfo } from './types.js';

export interface CompilerOptions {
  config?: FesterConfig;
  /** Where the config came from, for messages; undefined when there was none. */
  configFile?: string;
  cacheDir?: string;
  jobs?: number;
  /** Continue an existing session (a `fester watch` that reloads its config keeps one journal). */
  journal?: Journal;
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
  private readonly explicitJobs?: number;
  readonly sessionId: string;
  /** Nodes that can run actions; the embedded default registers one `local` node. */
  readonly nodes: NodeInfo[] = [];
  /** Cache tiers for `fester cache stats|verify|gc`; tier plugins register here in apply(). */
  readonly cacheTiers = new CacheTierRegistry();
  /** HTTP routes plugins add (API, /metrics, UI); served by the coordinator, `--serve` or `fester ui`. */
  readonly routes = new HttpRoutes();
  /** Actions this session runs now, by node id (schedulers read it as the client's view of load). */
  readonly running = new Map<string, number>();
  private journal?: Journal;
  private memoryJournal?: Journal;
  private buildCount = 0;

  constructor(options: CompilerOptions = {}) {
    this.config = options.config ?? { plugins: [] };
    this.journal = options.journal;
    this.sessionId = options.journal?.session ?? newSessionId();
    this.configFile = options.configFile;
    // The environment wins over the config so CI and tests can redirect a project's cache.
    this.cacheDir = options.cacheDir ?? (process.env.FESTER_CACHE_DIR ? resolve(process.env.FESTER_CACHE_DIR) : undefined) ?? this.config.cacheDir ?? defaultCacheDir();
    this.explicitJobs = options.jobs ?? this.config.jobs;
    // User plugins first, then the defaults: bail hooks ask the user's taps before ours.
    for (const p of this.config.plugins ?? []) {
      try { p.apply(this); } catch (e) { throw isFesterError(e) ? e : new PluginError(p.name, 'apply', e); }
    }
    applyDefaults(this);
    this.hooks.initialize.call();
  }

  /**
   * Actions run at once: `-j`/`jobs` if given, else the slots of the nodes that take work
   * plus their lease queues (the embedded node has one slot per core; a farm's total
   * changes as nodes come and go).
   */
  get jobs(): number {
    if (this.explicitJobs) return this.explicitJobs;
    let slots = 0;
    for (const n of this.nodes) if ((!n.state || n.state === 'ready') && n.policy !== 'drain') slots += n.slots + (n.queue ?? 0);
    return slots || availableParallelism();
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
    }
    return this.journal;
  }

  /** Keep the newest `journal.keep` journals beside this session's (a build calls it once the session has started). */
  pruneJournals(): void {
    const path = this.journal?.path;
    const keep = this.config.journal?.keep ?? DEFAULT_KEEP_SESSIONS;
    if (!path || keep === 'all') return;
    const dir = dirname(path);
    const pruned = pruneSessions(dir, keep, (id) => id === this.sessionId);
    if (pruned.length) this.emit({ type: 'journal.pruned', dir, keep, sessions: pruned });
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

  /** Flush and close the journal; plugins release what they hold. `keepJournal` hands it on. */
  async close(keepJournal = false): Promise<void> {
    await this.hooks.shutdown.promise();
    if (keepJournal) this.journal?.flush();
    else this.journal?.close();
  }

  /**
   * Record a session-level event (not part of one build: farm events, node changes). Goes to
   * the session journal when one is open, and to every `compiler.hooks.event` tap.
   */
  emit(payload: EventPayload, causes?: number[], build?: string): FesterEvent {
    if (!this.journal) this.memoryJournal ??= new Journal(null, this.sessionId);
    const ev = (this.journal ?? this.memoryJournal!).append(payload, build, causes);
    this.hooks.event.call(ev);
    return ev;
  }

  /** Replace the node registry in one step: a scheduler never sees half an update. */
  replaceNodes(nodes: readonly NodeInfo[]): void {
    this.nodes.splice(0, this.nodes.length, ...nodes);
  }

  /** The open session journal, if a build opened one. */
  get sessionJournal(): Journal | undefined {
    return this.journal;
  }

  /** Synchronous last-chance flush for signal handlers. */
  flushJournal(): void {
    this.journal?.flush();
  }
}
