/** Shared shapes of the pipeline. Paths are POSIX and relative to the project root unless named `abs`. */

export type ActionKind = 'compile' | 'archive' | 'link' | 'custom';

/** One command of the graph: a pure function of its inputs (DESIGN §1). */
export interface Action {
  /** Stable, readable id: `<target>/<output relative to <out>/<target>>` or `<target>/<custom id>`. */
  readonly id: string;
  readonly kind: ActionKind;
  readonly target: string;
  readonly artifact?: string;
  /** argv[0] is a tool name resolved through the toolchain's PATH, never a machine path. */
  readonly argv: readonly string[];
  /** Working directory, relative to the project root. */
  readonly cwd: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Paths that must exist before this runs but whose content is not part of the key (ninja's order-only). */
  readonly orderOnly: readonly string[];
  /** Make-format depfile the command writes; its headers become recorded inputs. */
  readonly depfile?: string;
  /** Extra environment beyond the toolchain's (part of the key). */
  readonly env: Readonly<Record<string, string>>;
  /** Free-form data for plugins; not part of the key unless a fingerprint tap adds it. */
  readonly meta: Readonly<Record<string, unknown>>;
}

/** What a resolver returns before the graph is built: actions as plain data, editable by afterResolve. */
export type ActionSpec = { -readonly [K in keyof Action]: Action[K] extends readonly (infer T)[] ? T[] : Action[K] };

export interface Toolchain {
  readonly target: string;
  /** Target triple the tools are prefixed with, or '' for the host's unprefixed tools. */
  readonly triple: string;
  /** Tool name → absolute path, e.g. { cc: '/usr/bin/gcc', ar: '/usr/bin/ar' }. */
  readonly tools: Readonly<Record<string, string>>;
  readonly version: string;
  /** sha256 over the binaries and version strings: part of every action key of this target. */
  readonly digest: string;
  /** The whole environment an action of this toolchain runs with (isolation: nothing inherited). */
  readonly env: Readonly<Record<string, string>>;
  /** Flags the target needs on every compile / link (e.g. -mthumb, --sysroot), before the project's. */
  readonly cflags: readonly string[];
  readonly ldflags: readonly string[];
  /** Appended to executable names (`.elf` for bare-metal targets). */
  readonly exeSuffix: string;
}

/** How the user wants a node used (`fester node set-policy`); `drain` takes no new work. */
export type NodePolicy = 'preferred' | 'avoid' | 'neutral' | 'drain';

/** `ready` nodes take work; `registering` ones are verifying toolchains; `quarantined` ones are healthy-but-untrusted (clock). */
export type NodeState = 'registering' | 'ready' | 'quarantined' | 'down';

/** One temperature reading from a node's sysfs (thermal_zone or hwmon). */
export interface TempReading {
  sensor: string;
  celsius: number;
}

/** What a production node accepts: only builds of projects on `allow`, within limits. */
export interface ProductionGuard {
  allow: readonly string[];
  /** nice(1) level for its commands. */
  nice?: number;
  /** At most this many actions at once (caps `slots`). */
  slots?: number;
  /** Address-space limit per command in bytes (prlimit --as). */
  memoryBytes?: number;
}

/**
 * A machine that runs actions. The embedded default has exactly one, `local`; a farm's
 * coordinator publishes the rest. Optional fields are absent for nodes that do not report them.
 */
export interface NodeInfo {
  readonly id: string;
  readonly kind: 'physical' | 'vm' | 'container';
  readonly arch: string;
  readonly slots: number;
  /**
   * Leases the node takes beyond its slots; they wait on the node, so the next action's
   * inputs travel while the current one runs (farm nodes; 0 when absent).
   */
  readonly queue?: number;
  /** Targets it can build; `*`: any whose toolchain resolves locally (the embedded node). */
  readonly targets: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  /** Target → toolchain digest the node verified; an action runs only where its digest matches. */
  readonly toolchains?: Readonly<Record<string, string>>;
  readonly state?: NodeState;
  /** Why the node is not `ready` (quarantine reason, dropout). */
  readonly stateReason?: string;
  readonly policy?: NodePolicy;
  readonly production?: ProductionGuard;
  readonly cores?: number;
  readonly memoryBytes?: number;
  /** 1-minute load average. */
  readonly load?: number;
  readonly temps?: readonly TempReading[];
  /** Actions the node runs now (all builds). */
  readonly running?: number;
  /**
   * Its executor runs each action apart from the workspace and writes outputs only when the
   * runner commits them (`ExecuteRequest.deferOutputs`): only such nodes run speculative
   * duplicates, since two copies writing one workspace could mix their outputs.
   */
  readonly deferredOutputs?: boolean;
  /** Estimated node clock minus coordinator clock, in ms (NTP-style, from heartbeats). */
  readonly clockOffsetMs?: number;
  /** Coordinator time of the last heartbeat (ms since the epoch). */
  readonly lastHeartbeat?: number;
  /** Coordinator time the node last registered (its toolchains are verified after). */
  readonly registeredAt?: number;
}

/** One node as the schedule waterfall sees it: filters set `filtered`, scorers add factors. */
export interface Candidate {
  readonly node: NodeInfo;
  filtered?: string;
  /**
   * Set beside `filtered` when the reason is temporary (a hot node cools, a loaded one calms
   * down): if no node is eligible but one may become so, the runner asks the schedule hook
   * again after this many ms instead of failing the action.
   */
  waitMs?: number;
  score: number;
  factors: Record<string, { value: number; weight: number }>;
}

/** A recorded output of an action: path relative to the root, sha256 hex, POSIX mode bits. */
export interface OutputRecord {
  path: string;
  digest: string;
  size: number;
  mode: number;
}

/** An action-cache entry (also used for compile manifests, which have no outputs). */
export interface AcEntry {
  v: 1;
  action: string;
  outputs: OutputRecord[];
  /** Headers the compiler reported (compile actions). */
  headers?: string[];
  /** Manifests only: header lists seen for one pre-key, newest first. */
  headerSets?: string[][];
  stdout?: string;
  stderr?: string;
}

export interface CacheHit {
  tier: string;
  entry: AcEntry;
  /** Output bytes by digest, already verified against their sha256 by the tier. */
  blobs: Map<string, Buffer>;
  /** The tier already put the outputs in place (e.g. a Btrfs reflink): record them, do not rewrite. */
  placed?: boolean;
}

export type BuildStatus = 'success' | 'failed' | 'interrupted';

export interface ActionFailure {
  action: string;
  exitCode: number | null;
  stderr: string;
  reason: 'exit' | 'validate' | 'input' | 'infrastructure' | 'interrupted';
  message: string;
  /** seq of the `action.finished` that recorded the failure: skips and `build.finished` name it in `causes`. */
  seq?: number;
}

export interface BuildCounts {
  total: number;
  executed: number;
  cached: number;
  upToDate: number;
  failed: number;
  skipped: number;
}

export interface BuildResult {
  buildId: string;
  sessionId: string;
  status: BuildStatus;
  counts: BuildCounts;
  failures: ActionFailure[];
  durationMs: number;
  journalPath: string;
}
