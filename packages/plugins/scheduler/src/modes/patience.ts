import { isParallelHigh } from '@fester/core';
import type { DecisionContext } from './types.js';

/** A node may take an action this much slower than the fastest node for it… */
const SLOWER_FACTOR = 1.5;
/** …or this much longer, whichever allows more: short actions go anywhere. */
const SLOWER_MS = 2000;
/**
 * Limit for `parallel: high` actions (LTO links, one job per core): the longest of a build and
 * the last, and they heat a node through; on a slower or throttling board they set the makespan.
 */
const HIGH_FACTOR = 1.25;
/** Limit for an action whose runtime nothing predicts, as a multiple of the fastest node's speed. */
const UNKNOWN_FACTOR = 1.5;
/** Of the work ahead, the share a slower node's run plus its chain may take: estimates err, and an overrun sets the makespan. */
const AHEAD_SHARE = 0.5;
/** How long a deferred action waits before it is asked about again (the runner's step). */
const RECHECK_MS = 500;

/** Each node's prediction for the decision at hand, reused across decisions (1,000-node farms). */
let scratch = new Float64Array(64);

/**
 * Patience: a long action is not started on a much slower node while a faster one that can
 * run it is only busy. On a farm with a few hundred fast slots one frees every few tens of
 * milliseconds, but a 40-second link started on a board a third as fast ends two minutes later
 * and sets the makespan (measured on the simulator's 50-node farm, docs/scheduler.md). The
 * prediction is the action's own runtime history (else its class's mean) scaled by each
 * node's learned speed; nothing known, nothing filtered. A filtered node says so with a `waitMs`, so a runner that finds every
 * node busy or filtered waits and asks again.
 */
export function patience(ctx: DecisionContext): void {
  const h = ctx.host.history;
  // The action's own runtime on a mean node, else its class's farm-wide mean (a first build learns those as it goes).
  const known = h.actionMs(ctx.action.id) ?? h.data.classes[ctx.cls]?.mean;
  // Nothing known of its length (the first link of a first build): it may be long, so only the
  // speed ratio counts — a node more than UNKNOWN_FACTOR× slower than the best waits.
  const base = known ?? 1;
  const nodes = h.data.nodes;
  const msOn = (id: string) => { const n = nodes[id]; return n && n.speedN > 0 ? base * Math.exp(n.speedLog) : base; };
  let best = Infinity;
  let capacity = 0;
  const all = ctx.all;
  // One prediction per node, kept for the filter below (1,000-node decisions).
  if (scratch.length < all.length) scratch = new Float64Array(all.length * 2);
  // Every node that could run it — busy ones too: they will free a slot.
  for (let i = 0; i < all.length; i++) {
    const c = all[i]!;
    if (c.filtered && !c.filtered.startsWith('busy')) continue;
    const ms = (scratch[i] = msOn(c.node.id));
    if (ms < best) best = ms;
    capacity += c.node.slots * (base / ms);
  }
  if (best === Infinity) return;
  // Slack: a slower node is fine when the action and the chain after it still end before the
  // farm could finish the work ahead (remaining work / capacity): it extends nothing.
  const work = ctx.host.workAhead(ctx.action.id);
  ctx.workAhead = work;
  const ahead = work && capacity > 0 ? work.remainingMs / capacity : 0;
  const tail = work?.tailMs ?? 0;
  const high = isParallelHigh(ctx.action);
  const limit = high ? best * HIGH_FACTOR : known === undefined ? best * UNKNOWN_FACTOR : Math.max(best * SLOWER_FACTOR, best + SLOWER_MS, ahead * AHEAD_SHARE - tail);
  let cut = 0;
  for (let i = 0; i < all.length; i++) {
    const c = all[i]!;
    // The live ones (a mode's filter may have taken some): unfiltered, so predicted above.
    if (c.filtered) continue;
    const ms = scratch[i]!;
    if (ms > limit) {
      c.filtered = high ? `patience: ${(ms / best).toFixed(1)}× slower than the fastest node; a parallel: high action runs on the fastest nodes only` : known === undefined ? `patience: ${(ms / best).toFixed(1)}× slower than the fastest node, and this action's runtime is not known yet` : `patience: ~${Math.round(ms)} ms here, ~${Math.round(best)} ms on the fastest node for it`;
      c.waitMs = RECHECK_MS;
      cut++;
    }
  }
  if (cut) ctx.live = ctx.live.filter((c) => !c.filtered);
}
