/**
 * The one discriminated union of journal events (DESIGN §7). Reporters, explain, metrics
 * and the UI all read these; add fields, never change their meaning.
 */
export interface EventBase {
  /** Position in the session journal, from 1; resumable streams use it as their id. */
  seq: number;
  /** Milliseconds since the epoch. */
  ts: number;
  session: string;
  build?: string;
  /** seq numbers of the events that caused this one. */
  causes?: number[];
}

export type MissReason =
  | 'no-previous-build'
  | 'inputs-changed'
  | 'command-changed'
  | 'toolchain-changed'
  | 'outputs-missing'
  | 'outputs-modified'
  | 'corrupt-entry'
  | 'plugin-fingerprint-changed';

export interface InputChange {
  path: string;
  before?: string;
  after?: string;
}

export type EventPayload =
  | { type: 'session.started'; version: string; cwd: string; pid: number }
  /** Session journals older than the newest `keep` were deleted from `dir` when this session opened its own (config `journal.keep`, `--keep-sessions`). */
  | { type: 'journal.pruned'; dir: string; keep: number; sessions: string[] }
  | { type: 'build.started'; file: string; targets: string[]; jobs: number; nodes: string[] }
  | { type: 'graph.resolved'; project: string; actions: number; edges: number; artifacts: string[]; targets: string[]; durationMs: number }
  | { type: 'toolchain.resolved'; target: string; digest: string; version: string; tools: Record<string, string> }
  | { type: 'toolchain.validated'; target: string; digest: string; ok: boolean; cached: boolean; steps: { name: string; ok: boolean; detail: string }[] }
  | { type: 'action.uptodate'; action: string; key: string }
  | { type: 'cache.hit'; action: string; key: string; tier: string; outputs: { path: string; digest: string }[]; bytes?: number }
  | { type: 'cache.miss'; action: string; key: string; reason: MissReason; changed: InputChange[]; previousKey?: string }
  /** An input changed outside the build (edited, checked out) since the previous build: the cause of the cache misses that list it. */
  | { type: 'input.changed'; path: string; before?: string; after?: string; firstAction: string }
  | { type: 'cache.corrupt'; tier: string; key: string; digest?: string; message: string }
  | { type: 'cache.stored'; action: string; key: string; bytes: number }
  | { type: 'cache.error'; tier: string; key: string; message: string }
  | { type: 'cache.barrier'; durationMs: number }
  | { type: 'action.queued'; action: string; kind: string; target: string }
  | { type: 'action.scheduled'; action: string; node: string; candidates: { node: string; score: number; filtered?: string }[]; omitted?: number }
  | { type: 'action.started'; action: string; node: string; argv: string[]; cwd: string }
  | {
      type: 'action.finished';
      action: string;
      node: string;
      exitCode: number | null;
      durationMs: number;
      status: 'success' | 'failed' | 'interrupted';
      stderr?: string;
      outputs?: { path: string; digest: string }[];
      headers?: string[];
      infrastructure?: boolean;
      message?: string;
    }
  | { type: 'action.skipped'; action: string; because: string }
  | { type: 'build.finished'; status: 'success' | 'failed' | 'interrupted'; durationMs: number; counts: Record<string, number>; error?: { code: string; message: string } }
  | { type: 'plugin.event'; plugin: string; name: string; data: Record<string, unknown> }
  /** A volatile tier wrote the build's entries through to the persistent tiers (before `cache.barrier`). */
  | { type: 'cache.writeback'; tier: string; entries: number; bytes: number; failed: number; durationMs: number; early?: boolean }
  /** A tier could not take a store (full, unwritable): it was bypassed, nothing was lost. */
  | { type: 'cache.fallback'; tier: string; key: string; code: string; message: string; fallback: 'write-through' }
  /** Least recently used entries dropped to keep a tier under its size limit. */
  | { type: 'cache.evicted'; tier: string; entries: number; bytes: number; remainingBytes: number; maxBytes: number }
  /** ccache's own counters for one node's CCACHE_DIR after a build. */
  | { type: 'ccache.stats'; node: string; dir: string; hits: number; directHits: number; preprocessedHits: number; misses: number; uncacheable: number; errors: number; filesBytes?: number }
  /** A tier degraded without failing the build (endpoint down, credentials, quorum unmet); `code` is an FE05xx warning. */
  | { type: 'cache.warning'; tier: string; code: string; message: string; endpoint?: string; key?: string }
  // ── farm (coordinator, agents, leases) ──
  /** An agent connected and told its facts; it is not schedulable until `node.ready`. */
  | { type: 'node.registered'; node: string; kind: string; arch: string; cores: number; slots: number; production: boolean; address?: string }
  /** The node verified its toolchains and joined the schedulable snapshot. */
  | { type: 'node.ready'; node: string; toolchains: Record<string, string> }
  /** Missed heartbeats: nothing from the node for over two intervals (once per silence); a dropout follows at the timeout unless it speaks again. */
  | { type: 'node.silent'; node: string; silentMs: number; heartbeatMs: number; timeoutMs: number }
  /** No heartbeat for `silentMs`: the node's leases are revoked and its actions re-queued. */
  | { type: 'node.dropout'; node: string; silentMs: number; timeoutMs: number; leases: number }
  /** A node's clock is off by more than the threshold (or back within it: `cleared`). */
  | { type: 'node.quarantined'; node: string; reason: string; offsetMs: number; thresholdMs: number; cleared?: boolean }
  | { type: 'node.policy'; node: string; policy: string; previous: string; by?: string }
  /** The agent closed its connection (orderly leave or crash seen as a closed socket). */
  | { type: 'node.left'; node: string; reason: string }
  | { type: 'lease.granted'; lease: string; epoch: number; action: string; node: string; build?: string }
  | { type: 'lease.revoked'; lease: string; epoch: number; action: string; node: string; reason: string }
  /** A result arrived under an epoch that is no longer current: refused, never used. */
  | { type: 'lease.refused'; lease: string; epoch: number; currentEpoch: number; action: string; node: string; reason: string }
  /** An infrastructure failure on one node: the action goes to another (`attempt` counts from 1). */
  | { type: 'action.retry'; action: string; node: string; attempt: number; reason: string; exclude: string[] }
  /** A blob failed its digest check in transit and was fetched again. */
  | { type: 'blob.corrupt'; digest: string; node: string; where: string; attempt: number }
  /** A request the coordinator rejected (auth, replay, garbage, size, unknown node). */
  | { type: 'farm.rejected'; code: string; message: string; peer?: string }
  // ── scheduler and thermal safety ──
  /**
   * A scheduler mode placed an action (emitted inside the schedule hook, just before the core's
   * `action.scheduled`): every factor's value and weight per candidate, why the others lost or
   * were filtered, the mode and its tie-break seed. Large farms record the best `candidates`
   * and count the rest in `omitted`. What the mode read besides the candidates is kept for
   * replay: `workAhead` (patience) and `clock`, the instant (ms) time-derived factors were
   * computed against, when any were.
   */
  | { type: 'schedule.decision'; action: string; mode: string; seed: number; chosen: string; class?: string; candidates: ScheduleCandidate[]; omitted?: { lost: number; filtered: Record<string, number> }; workAhead?: { remainingMs: number; tailMs: number }; clock?: number }
  /** The intelligence mode proposes running a straggler again on an idle node (first result wins). */
  | { type: 'schedule.speculation'; action: string; node: string; original: string; elapsedMs: number; predictedMs: number; reason: string }
  /**
   * The two copies of a speculated action are settled: the action kept `winner`'s result (its
   * `action.finished` follows); the copy on `loser` was cancelled or had failed and its result
   * was discarded. This event ends the loser's run (it has no `action.finished`). `won` is
   * `neither` when both failed (the kept failure is the one reported). Caused by the speculation.
   */
  | { type: 'speculation.settled'; action: string; winner: string; loser: string; won: 'original' | 'duplicate' | 'neither'; loserStatus: 'cancelled' | 'failed'; loserDurationMs: number; message?: string }
  /** A node stopped taking (some) new work: too hot (`max`), nearly too hot (`near`: fewer slots) or loaded for too long (`sustained-load`: no `parallel: high` actions). */
  /** The temperature reading that moved a node between thermal states (`ok`, `near`, `hot`): the cause of the throttle or release that follows. */
  | { type: 'node.temperature'; node: string; celsius?: number; sensor?: string; maxCelsius: number; state: 'ok' | 'near' | 'hot'; previous: 'ok' | 'near' | 'hot' }
  | ({ type: 'node.throttled' } & ThrottleDetail)
  /** The condition of an earlier `node.throttled` with the same `rule` is over (below the hysteresis). */
  | ({ type: 'node.unthrottled' } & ThrottleDetail)
  /** A temperature could not be used (garbage, missing sensors, no sysfs root): the node counts as not hot. `code` is an FE101x warning. */
  | { type: 'thermal.warning'; node: string; code: string; message: string; sensor?: string; path?: string; raw?: string }
  /** The scheduler degraded without failing the build (history file unreadable). `code` is an FE100x warning. */
  | { type: 'scheduler.warning'; code: string; message: string; file?: string };

/** One node as a `schedule.decision` records it. */
export interface ScheduleCandidate {
  node: string;
  score: number;
  factors: Record<string, { value: number; weight: number }>;
  /** Why it was not eligible (set by a filter). */
  filtered?: string;
  /** Why an eligible node lost to the chosen one: the factor that cost it most, or the tie-break. */
  lost?: string;
}

/** The reading or load behind a throttle change. */
export interface ThrottleDetail {
  node: string;
  rule: 'max' | 'near' | 'sustained-load';
  celsius?: number;
  sensor?: string;
  maxCelsius?: number;
  /** Below this the rule releases (max or near threshold minus the hysteresis). */
  releaseCelsius?: number;
  /** Slots the node may fill while `near`. */
  slots?: number;
  load?: number;
  cores?: number;
  windowMs?: number;
}

export type FesterEvent = EventBase & EventPayload;
export type EventType = FesterEvent['type'];
export type EventOf<T extends EventType> = Extract<FesterEvent, { type: T }>;
