import type { Build } from '../Build.js';
import type { Command, ExecuteRequest, ExecuteResult } from '../hooks.js';
import type { FesterEvent } from '../journal/events.js';
import type { Action, NodeInfo } from '../types.js';

/** One run of an action on one node. An action has one copy, or two while speculated. */
export interface Copy {
  readonly node: NodeInfo;
  readonly duplicate: boolean;
  /** Aborts this copy only; its executor sees it combined with the build's signal. */
  readonly abort: AbortController;
  readonly t0: number;
  /** Settles when the executor returned (or threw); never rejects. */
  done: Promise<void>;
  settled: boolean;
  result?: ExecuteResult;
  error?: unknown;
  /** The race stopped it because the other copy was kept. */
  cancelled: boolean;
  durationMs: number;
}

/** The executor returned a success the runner may keep (the build's own abort is checked later). */
export function succeeded(c: Copy): boolean {
  return c.settled && c.error === undefined && !!c.result && !c.result.infrastructure && c.result.exitCode === 0;
}

/**
 * The copies of one action on nodes with deferred outputs. The first copy to succeed is kept;
 * a failure is held while another copy still runs, because a straggler's duplicate that
 * fails (or the straggler itself) says nothing the other copy cannot still overturn.
 */
export class Race {
  readonly copies: Copy[] = [];
  /** False once the outcome is chosen: no copy joins after that. */
  open = true;
  /** seq of the `schedule.speculation` that added the duplicate. */
  cause?: number;
  private wake: (() => void)[] = [];

  constructor(first: Copy) {
    this.add(first);
  }

  get duplicated(): boolean {
    return this.copies.length > 1;
  }

  add(c: Copy): void {
    this.copies.push(c);
    void c.done.then(() => this.poke());
    this.poke();
  }

  /**
   * The copy whose result the action takes. Every other copy is aborted and has stopped when
   * this resolves, so nothing of it is still running or writing once the kept one commits.
   */
  async settle(): Promise<Copy> {
    for (;;) {
      const kept = this.pick();
      if (kept) {
        this.open = false;
        for (const c of this.copies) {
          if (c === kept || c.settled) continue;
          c.cancelled = true;
          c.abort.abort();
        }
        await Promise.all(this.copies.map((c) => c.done));
        return kept;
      }
      await new Promise<void>((r) => this.wake.push(r));
    }
  }

  private pick(): Copy | undefined {
    const won = this.copies.find(succeeded);
    if (won) return won;
    // A plugin that threw ends the action as it always did (the build stops with its error).
    const threw = this.copies.find((c) => c.settled && c.error !== undefined);
    if (threw) return threw;
    if (!this.copies.every((c) => c.settled)) return undefined;
    // All failed: a failure of the code (exit, validation) says more than a lost node; then the original's.
    return this.copies.find((c) => c.result && !c.result.infrastructure) ?? this.copies[0];
  }

  private poke(): void {
    const w = this.wake;
    this.wake = [];
    for (const r of w) r();
  }
}

/** Start one copy: journal it, count it on its node until the executor returns. */
export function startCopy(b: Build, a: Action, node: NodeInfo, command: Command, duplicate: boolean, causes?: number[]): Copy {
  // The command as it will run (after wrapCommand: ccache, path maps), so the journal is auditable.
  b.emit({ type: 'action.started', action: a.id, node: node.id, argv: [...command.argv], cwd: a.cwd }, causes);
  const running = b.compiler.running;
  running.set(node.id, (running.get(node.id) ?? 0) + 1);
  const copy: Copy = { node, duplicate, abort: new AbortController(), t0: performance.now(), done: Promise.resolve(), settled: false, cancelled: false, durationMs: 0 };
  const end = () => {
    copy.settled = true;
    copy.durationMs = performance.now() - copy.t0;
    running.set(node.id, Math.max(0, (running.get(node.id) ?? 1) - 1));
  };
  // Only a node that defers outputs can be raced, so only its copies need a signal of their own.
  const signal = node.deferredOutputs ? AbortSignal.any([b.signal, copy.abort.signal]) : b.signal;
  const req: ExecuteRequest = { action: a, node, command, signal, ...(node.deferredOutputs ? { deferOutputs: true } : {}), ...(duplicate ? { duplicate: true } : {}) };
  copy.done = b.hooks.execute.promise(req).then((r) => { copy.result = r; end(); }, (e: unknown) => { copy.error = e; end(); });
  return copy;
}

/** `speculation.settled`: which copy the action kept, and what became of the other (it ends that run in the journal). */
export function journalSettled(b: Build, a: Action, race: Race, kept: Copy): void {
  const loser = race.copies.find((c) => c !== kept)!;
  const won = succeeded(kept) ? (kept.duplicate ? 'duplicate' : 'original') : 'neither';
  const cancelled = loser.cancelled || b.signal.aborted;
  const r = loser.result;
  const message = cancelled ? (b.signal.aborted ? 'interrupted' : `the copy on ${kept.node.id} succeeded first`)
    : loser.error !== undefined ? String(loser.error) : !r ? `no executor accepted node "${loser.node.id}"` : r.message ?? `exit code ${r.exitCode}`;
  b.emit({ type: 'speculation.settled', action: a.id, winner: kept.node.id, loser: loser.node.id, won, loserStatus: cancelled ? 'cancelled' : 'failed', loserDurationMs: Math.round(loser.durationMs), message },
    race.cause === undefined ? undefined : [race.cause]);
}

/**
 * The run a `speculation.settled` ends: the losing copy has no `action.finished`, so anything
 * that counts runs per node from `action.started` / `action.finished` must close it here.
 */
export function endedLoser(ev: FesterEvent): { action: string; node: string } | undefined {
  return ev.type === 'speculation.settled' ? { action: ev.action, node: ev.loser } : undefined;
}
