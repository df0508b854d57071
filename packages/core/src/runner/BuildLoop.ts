import type { Build } from '../Build.js';
import { hasTaps } from '../hooks.js';
import type { ActionRecord } from '../state/BuildState.js';
import type { Action, ActionFailure, BuildCounts, BuildStatus } from '../types.js';
import { ActionRunner, type Outcome, type Prepared, type TargetEnv } from './ActionRunner.js';
import { Speculator } from './speculation.js';

export interface LoopOutcome {
  status: BuildStatus;
  counts: BuildCounts;
  failures: ActionFailure[];
}

/** How many actions may be fingerprinted / looked up at once (I/O, not execution slots). */
const CHECK_CONCURRENCY = 32;

/**
 * Walks the graph in dependency order. Checking (stat, hash, cache) is not limited by
 * execution slots; running commands is limited to `jobs`. The first failure stops new work
 * unless keepGoing; dependents of a failed action are skipped.
 */
export class BuildLoop {
  private readonly build: Build;
  private readonly remaining = new Map<string, number>();
  private readonly done = new Map<string, ActionRecord>();
  private readonly counts: BuildCounts;
  private readonly failures: ActionFailure[] = [];
  private readonly checkQueue: Action[] = [];
  private readonly execQueue: [Action, Prepared][] = [];
  /** Priorities of queued actions (only when a plugin taps `prioritize`). */
  private readonly priority = new Map<string, number>();
  private checking = 0;
  private running = 0;
  private settled = 0;
  private stopping = false;
  /** Whether anything but an up-to-date check happened (the state file then needs saving). */
  changed = false;
  private runner!: ActionRunner;
  private finish!: () => void;
  private crash!: (e: unknown) => void;

  constructor(build: Build) {
    this.build = build;
    this.counts = { total: build.graph!.actions.length, executed: 0, cached: 0, upToDate: 0, failed: 0, skipped: 0 };
  }

  /** Records for the state file: this build's, and the previous ones of actions not reached. */
  records(): Record<string, ActionRecord> {
    const prev = this.build.state!.actions;
    const out: Record<string, ActionRecord> = {};
    for (const a of this.build.graph!.actions) {
      const r = this.done.get(a.id) ?? prev[a.id];
      if (r) out[a.id] = r;
    }
    return out;
  }

  async run(): Promise<LoopOutcome> {
    const b = this.build;
    const envs = new Map<string, TargetEnv>();
    for (const t of new Set(b.graph!.actions.map((a) => a.target))) {
      const env = await b.envFor(t);
      envs.set(t, env);
      b.toolchainDigests.set(t, env.digest);
    }
    this.runner = new ActionRunner(b, envs);
    const onAbort = () => { this.stopping = true; this.maybeFinish(); };
    b.signal.addEventListener('abort', onAbort, { once: true });
    // Idle capacity (nothing queued) may take second copies of stragglers, if a plugin advises it.
    const speculator = new Speculator(b, this.runner, () => this.execQueue.length === 0 && !this.stopping);
    speculator.start();
    try {
      await new Promise<void>((resolve, reject) => {
        this.finish = resolve;
        this.crash = reject;
        for (const a of b.graph!.actions) {
          const n = b.graph!.depsOf(a).length;
          this.remaining.set(a.id, n);
        }
        // Roots first, collected up front: the synchronous no-op path completes actions (and
        // readies their users) while we go, so a later `remaining === 0` is not a root.
        const roots = b.graph!.actions.filter((a) => this.remaining.get(a.id) === 0);
        for (const a of roots) this.ready(a);
        this.pump();
        this.maybeFinish();
      });
    } finally {
      speculator.stop();
      b.signal.removeEventListener('abort', onAbort);
    }
    const status: BuildStatus = b.signal.aborted ? 'interrupted' : this.failures.length ? 'failed' : 'success';
    const c = this.counts;
    c.skipped = c.total - c.executed - c.cached - c.upToDate - c.failed;
    return { status, counts: { ...c }, failures: this.failures };
  }

  /** A ready action: try the synchronous no-op path first; anything else is checked async. */
  private ready(a: Action): void {
    if (this.stopping) return;
    const fast = this.runner.upToDateFast(a);
    if (fast) { this.complete(a, { kind: 'uptodate', record: fast }); return; }
    this.checkQueue.push(a);
    this.drainChecks();
  }

  private drainChecks(): void {
    while (this.checking < CHECK_CONCURRENCY && this.checkQueue.length && !this.stopping) {
      const a = this.checkQueue.shift()!;
      this.checking++;
      this.runner.lookup(a).then((r) => {
        this.checking--;
        if ('kind' in r) this.complete(a, r);
        else { this.enqueue(a, r); this.build.emit({ type: 'action.queued', action: a.id, kind: a.kind, target: a.target }); }
        this.drainChecks();
        this.pump();
        this.maybeFinish();
      }, (e) => this.crash(e));
    }
  }

  /**
   * Into the run queue, behind every action of equal or higher priority (stable: without a
   * `prioritize` tap every priority is 0 and the queue stays in ready order).
   */
  private enqueue(a: Action, prep: Prepared): void {
    const q = this.execQueue;
    if (!hasTaps(this.build.hooks.prioritize)) { q.push([a, prep]); return; }
    const p = this.build.hooks.prioritize.call(0, a);
    this.priority.set(a.id, p);
    // Binary search for the first entry of lower priority.
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.priority.get(q[mid]![0].id) ?? 0) >= p) lo = mid + 1;
      else hi = mid;
    }
    q.splice(lo, 0, [a, prep]);
  }

  /** Slots are read each time: a farm's capacity changes as nodes join, drain or drop out. */
  private pump(): void {
    while (this.running < Math.max(1, this.build.compiler.jobs) && this.execQueue.length && !this.stopping) {
      const [a, prep] = this.execQueue.shift()!;
      this.priority.delete(a.id);
      this.running++;
      this.runner.execute(a, prep).then((r) => {
        this.running--;
        this.complete(a, r);
        this.pump();
        this.maybeFinish();
      }, (e) => this.crash(e));
    }
  }

  private complete(a: Action, r: Outcome): void {
    this.settled++;
    if (r.kind !== 'uptodate') this.changed = true;
    if (r.kind === 'failed') {
      this.counts.failed++;
      this.failures.push(r.failure);
      if (!this.build.request.keepGoing || r.failure.reason === 'interrupted') this.stopping = true;
      this.skipDependents(a, r.failure.seq);
      return;
    }
    this.done.set(a.id, r.record);
    if (r.kind === 'executed') this.counts.executed++;
    else if (r.kind === 'cached') this.counts.cached++;
    else this.counts.upToDate++;
    for (const u of this.build.graph!.usersOf(a)) {
      const n = this.remaining.get(u.id)! - 1;
      this.remaining.set(u.id, n);
      if (n === 0) this.ready(u);
    }
  }

  /** Every transitive user of a failed action will never run: say so once each, caused by the failure's event. */
  private skipDependents(failed: Action, failureSeq: number | undefined): void {
    const stack = [...this.build.graph!.usersOf(failed)];
    while (stack.length) {
      const u = stack.pop()!;
      if (this.remaining.get(u.id) === -1) continue;
      this.remaining.set(u.id, -1);
      this.build.emit({ type: 'action.skipped', action: u.id, because: failed.id }, failureSeq === undefined ? undefined : [failureSeq]);
      stack.push(...this.build.graph!.usersOf(u));
    }
  }

  private maybeFinish(): void {
    const idle = this.checking === 0 && this.running === 0;
    if (idle && (this.stopping || (this.checkQueue.length === 0 && this.execQueue.length === 0))) this.finish();
  }
}
