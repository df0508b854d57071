import {
  AsyncParallelHook,
  AsyncSeriesBailHook,
  AsyncSeriesHook,
  AsyncSeriesWaterfallHook,
  SyncHook,
  SyncWaterfallHook,
  type Tap,
} from 'tapable';
import { isFesterError } from './errors/FesterError.js';
import { PluginError } from './errors/PluginError.js';
import type { Build } from './Build.js';
import type { Action, ActionSpec, AcEntry, BuildResult, CacheHit, Candidate, NodeInfo, Toolchain } from './types.js';
import type { FesterEvent } from './journal/events.js';
import type { ProjectSource } from './project/types.js';

export interface ResolveRequest {
  /** Absolute path of the project file (project.yaml). */
  file: string;
  /** Targets asked for on the command line, or undefined for the project's own list. */
  targets?: readonly string[];
}

export interface ResolvedProject {
  source: ProjectSource;
  actions: ActionSpec[];
}

export interface ToolchainRequest {
  target: string;
  /** Where the request came from, for error messages (project.yaml location of `targets`). */
  origin?: { file: string; line?: number; col?: number };
}

export interface FingerprintParts {
  action: Action;
  /** Strings added by plugins; sorted into the key. */
  extra: string[];
}

export interface CacheGetRequest {
  action: Action;
  key: string;
}

export interface CacheStoreRequest {
  action: Action;
  key: string;
  entry: AcEntry;
  /** Output bytes by digest (verified). */
  blobs: Map<string, Buffer>;
  /**
   * Which tiers should write it; undefined: all. While a volatile tier holds the build's
   * persistent writes (`build.writeBackTiers`), the core stores with `'volatile'`, and that tier
   * stores each entry again with `'persistent'` behind the sync barrier. Test with `storeIsFor`.
   */
  tiers?: 'volatile' | 'persistent';
}

export interface Command {
  argv: string[];
  env: Record<string, string>;
  /** Absolute working directory. */
  cwd: string;
}

export interface ExecuteRequest {
  action: Action;
  node: NodeInfo;
  command: Command;
  signal: AbortSignal;
  /**
   * Set for nodes with `deferredOutputs`: hold the outputs (and the depfile) and return
   * `commit` instead of writing them into the workspace. The runner commits only the copy it
   * keeps, after the other copy of a speculated action has stopped.
   */
  deferOutputs?: boolean;
  /**
   * A speculative second copy of an action that is still running on another node: per-action
   * state an executor keeps (a farm lease) must keep the two copies apart.
   */
  duplicate?: boolean;
}

export interface ExecuteResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** True when the command never ran (spawn failure, lost node): infrastructure, not code. */
  infrastructure?: boolean;
  message?: string;
  /** seq numbers of the journal events that caused a failure (a dropout, a revoked lease). */
  causes?: number[];
  /**
   * The node went away while it held the action (a dropout): says nothing against the action
   * or the node, so it is retried on a budget of its own and the node is not excluded.
   */
  nodeLost?: boolean;
  /** With `deferOutputs`: write this run's outputs into the workspace. Called at most once, only for the copy the runner keeps. */
  commit?: () => void | Promise<void>;
}

/** One action running on one node that the runner can duplicate: a single copy, on a node with `deferredOutputs`. */
export interface RunningCopy {
  action: string;
  node: string;
  /** ms since the epoch. */
  startedAt: number;
}

export interface SpeculateRequest {
  running: readonly RunningCopy[];
  /** Nodes with a free slot whose executor holds outputs apart (`deferredOutputs`). */
  idle: readonly NodeInfo[];
  /** Proposals beyond this many are ignored. */
  max: number;
  /**
   * The normal placement — the `schedule` hook with every filter (toolchain, drain, thermal…) —
   * limited to `among`: the best eligible node, or undefined. The runner ignores any proposal
   * this did not place, so no tap can put a duplicate where the action may not run.
   */
  place(action: string, among: readonly NodeInfo[]): NodeInfo | undefined;
}

/** Run a second copy of a running action on `node`; the first copy to succeed is kept. */
export interface DuplicateProposal {
  action: string;
  node: string;
  /** seq of the event that proposed it (`schedule.speculation`): the duplicate's `action.started` points at it. */
  cause?: number;
}

export interface ValidateRequest {
  action: Action;
  toolchain?: Toolchain;
  /** Absolute paths of the produced outputs, in the order of action.outputs. */
  outputs: string[];
}

export interface SyncBarrierRequest {
  status: 'success' | 'failed' | 'interrupted';
}

export interface SnapshotRequest {
  phase: 'before' | 'after';
  outDir: string;
}

/** Turns any non-Fester error thrown by a tap into a PluginError naming plugin and hook. */
function guard(hookName: string) {
  return {
    register(tap: Tap & { fn: (...args: unknown[]) => unknown; type: string }) {
      const fn = tap.fn;
      const wrapErr = (e: unknown) => (isFesterError(e) ? e : new PluginError(tap.name, hookName, e));
      if (tap.type === 'promise') {
        tap.fn = (...args: unknown[]) => {
          try {
            return Promise.resolve(fn(...args)).catch((e) => { throw wrapErr(e); });
          } catch (e) { return Promise.reject(wrapErr(e)); }
        };
      } else if (tap.type === 'async') {
        tap.fn = (...args: unknown[]) => {
          const cb = args[args.length - 1] as (err?: unknown, res?: unknown) => void;
          const rest = args.slice(0, -1);
          try {
            return fn(...rest, (err?: unknown, res?: unknown) => cb(err ? wrapErr(err) : err, res));
          } catch (e) { cb(wrapErr(e)); }
        };
      } else {
        tap.fn = (...args: unknown[]) => {
          try { return fn(...args); } catch (e) { throw wrapErr(e); }
        };
      }
      return tap;
    },
  };
}

function guarded<T extends Record<string, { intercept(i: object): void }>>(hooks: T): Readonly<T> {
  for (const [name, hook] of Object.entries(hooks)) hook.intercept(guard(name) as never);
  return Object.freeze(hooks);
}

/**
 * Whether any plugin tapped a hook. tapable's `isUsed()` also counts interceptors, and every
 * hook here carries the PluginError interceptor, so it would always say yes.
 */
export function hasTaps(hook: { taps: readonly unknown[] }): boolean {
  return hook.taps.length > 0;
}

export function createCompilerHooks() {
  return guarded({
    initialize: new SyncHook<[]>([]),
    /** Called for every new Build, before it starts: tap the build's hooks here. */
    build: new SyncHook<[Build]>(['build']),
    beforeBuild: new AsyncSeriesHook<[Build]>(['build']),
    afterBuild: new AsyncSeriesHook<[Build, BuildResult]>(['build', 'result']),
    shutdown: new AsyncSeriesHook<[]>([]),
    /** Every journal event of the session: each build's and the farm's (dropouts, leases). Metrics and servers tap here. */
    event: new SyncHook<[FesterEvent]>(['event']),
  });
}

export function createBuildHooks() {
  return guarded({
    resolve: new AsyncSeriesBailHook<[ResolveRequest], ResolvedProject | undefined>(['request']),
    resolveToolchain: new AsyncSeriesBailHook<[ToolchainRequest], Toolchain | undefined>(['request']),
    /** After a target's toolchain is resolved, before any action uses it: validation gates here. */
    toolchainResolved: new AsyncSeriesHook<[Toolchain]>(['toolchain']),
    afterResolve: new AsyncSeriesWaterfallHook<[ActionSpec[]]>(['actions']),
    fingerprint: new AsyncSeriesWaterfallHook<[FingerprintParts]>(['parts']),
    cacheGet: new AsyncSeriesBailHook<[CacheGetRequest], CacheHit | undefined>(['request']),
    cacheStore: new AsyncParallelHook<[CacheStoreRequest]>(['request']),
    /**
     * A queued action's priority (higher runs first when slots are short; default 0, ties in
     * queue order). Asked once, when the action joins the run queue: a critical-path scheduler
     * starts the longest remaining chain first.
     */
    prioritize: new SyncWaterfallHook<[number, Action]>(['priority', 'action']),
    schedule: new SyncWaterfallHook<[Candidate[], Action]>(['candidates', 'action']),
    /**
     * Idle capacity (nothing ready to run, nodes with free slots): is a running action worth a
     * second copy on one of them? Asked every half second while so, only when tapped. A
     * waterfall, so several advisers can add proposals; each must be placed through `place`.
     */
    speculate: new SyncWaterfallHook<[DuplicateProposal[], SpeculateRequest]>(['proposals', 'request']),
    wrapCommand: new SyncWaterfallHook<[Command, Action]>(['command', 'action']),
    execute: new AsyncSeriesBailHook<[ExecuteRequest], ExecuteResult | undefined>(['request']),
    validate: new AsyncSeriesHook<[ValidateRequest]>(['request']),
    snapshot: new AsyncSeriesHook<[SnapshotRequest]>(['request']),
    /**
     * After the last action, before the build is reported finished (also when it failed or was
     * interrupted): tiers that buffer writes (tmpfs) make everything durable here.
     */
    syncBarrier: new AsyncSeriesHook<[SyncBarrierRequest]>(['request']),
    event: new SyncHook<[FesterEvent]>(['event']),
  });
}

export type CompilerHooks = ReturnType<typeof createCompilerHooks>;
export type BuildHooks = ReturnType<typeof createBuildHooks>;
