import type { NodeInfo } from '@fester/core';
import type { DecisionContext } from './modes/types.js';
import type { ThermalSignals } from './thermalSignals.js';

/**
 * The factors modes are built from. Each is a value in [0, 1], higher is better, so weights
 * compare like with like and `fester explain` can print "free 0.25 vs 1.00". A factor whose
 * weight is 0 (or absent) is not computed at all: large farms pay only for what counts.
 */
function columnOf(ctx: DecisionContext, name: string): Float64Array | undefined {
  const w = ctx.weights[name];
  return w ? ctx.table.column(name, w) : undefined;
}
// Each factor is a plain loop over the live candidates into its column: no callback per
// node, whose returned fractions V8 would box (1,000-node decisions, see bench).

/** Slots a node may fill: a production guard caps them. */
export function slotsOf(n: NodeInfo): number {
  return Math.max(1, Math.min(n.slots, n.production?.slots ?? Infinity));
}

/** Share of free slots. Replaces the core's balance factor of the same name (same meaning). */
export function free(ctx: DecisionContext): void {
  const col = columnOf(ctx, 'free');
  if (!col) return;
  const live = ctx.live;
  for (let i = 0; i < live.length; i++) {
    const n = live[i]!.node;
    const slots = slotsOf(n);
    col[i] = Math.max(0, slots - ctx.host.running(n)) / slots;
  }
}

const POLICY_VALUE = { preferred: 1, neutral: 0.5, avoid: 0, drain: 0 } as const;

/** The user's `fester node set-policy`: preferred fills first, avoid only when the rest is busy. */
export function policy(ctx: DecisionContext): void {
  const col = columnOf(ctx, 'policy');
  if (!col) return;
  const live = ctx.live;
  for (let i = 0; i < live.length; i++) col[i] = POLICY_VALUE[live[i]!.node.policy ?? 'neutral'];
}

/** OS load average per core: other users' work on a shared machine counts too. */
export function cpu(ctx: DecisionContext): void {
  const col = columnOf(ctx, 'cpu');
  if (!col) return;
  const live = ctx.live;
  for (let i = 0; i < live.length; i++) {
    const { load, cores } = live[i]!.node;
    col[i] = load === undefined || !cores ? 0.5 : 1 - Math.min(1, Math.max(0, load / cores));
  }
}

/** Unknown pairs sit between the best known node and a slow one, so new nodes get tried. */
const UNKNOWN_SPEED = 0.8;

/**
 * Runtimes this action would wait on a node before a slot frees: 0 with a slot free, about
 * (queued + 1) / slots when every slot is taken. A fast node's queue place is worth its speed
 * divided by this plus one — so noise in the speed estimate between equal machines never
 * strands an idle node while a busy one queues (the history would then never correct it).
 */
function waitFactor(ctx: DecisionContext, n: NodeInfo): number {
  const slots = slotsOf(n);
  return 1 + Math.max(0, ctx.host.running(n) - slots + 1) / slots;
}

/**
 * History: the fastest predicted node for this action class scores 1, a node predicted twice
 * as slow 0.5, each divided by its wait factor (a busy node's place in its queue is worth
 * less). A class never seen anywhere (the first link of a build) falls back on each node's
 * speed learned from other classes; nothing known at all: every node 0.5.
 */
export function speed(ctx: DecisionContext): void {
  const w = ctx.weights.speed;
  if (!w) return;
  const h = ctx.host.history;
  const live = ctx.live;
  // The column holds each node's predicted ms (NaN: unknown) until the best is known.
  const col = ctx.table.column('speed', w);
  const own = h.actionMs(ctx.action.id);
  let best = Infinity;
  for (let i = 0; i < live.length; i++) {
    const e = (col[i] = h.meanMs(live[i]!.node.id, ctx.cls, own));
    if (e < best) best = e;
  }
  if (best === Infinity) {
    let fastest = 0;
    for (let i = 0; i < live.length; i++) {
      const r = (col[i] = h.speed(live[i]!.node.id) ?? Number.NaN);
      if (r > fastest) fastest = r;
    }
    for (let i = 0; i < live.length; i++) {
      const r = col[i]!;
      col[i] = (fastest === 0 ? 0.5 : Number.isNaN(r) ? UNKNOWN_SPEED : r / fastest) / waitFactor(ctx, live[i]!.node);
    }
    return;
  }
  for (let i = 0; i < live.length; i++) {
    const e = col[i]!;
    col[i] = (Number.isNaN(e) ? UNKNOWN_SPEED : best / e) / waitFactor(ctx, live[i]!.node);
  }
}

/** Share of the action's inputs already on the node (needs an InputLocality provider). */
export function locality(ctx: DecisionContext): void {
  const w = ctx.weights.locality;
  if (!w) return;
  const loc = ctx.host.locality();
  if (!loc) return;
  const digests = ctx.host.inputDigests(ctx.action);
  if (!digests.length) return;
  const col = ctx.table.column('locality', w);
  const live = ctx.live;
  for (let i = 0; i < live.length; i++) col[i] = Math.min(1, Math.max(0, loc.has(live[i]!.node.id, digests)));
}

/** Degrees below the max from which a node counts as fully cool: far from the limit, heat is no reason to pass a node over. */
const HEADROOM_SPAN = 15;
/** A node heating this fast (°C per minute) scores 0 on trend. */
const TREND_SPAN = 6;

/** Distance to the node's max temperature; unknown temperature is not hot, but not proven cool. */
export function headroom(ctx: DecisionContext, thermal: ThermalSignals): void {
  const col = columnOf(ctx, 'headroom');
  if (!col) return;
  const live = ctx.live;
  for (let i = 0; i < live.length; i++) {
    const s = thermal.of(live[i]!.node);
    col[i] = s.celsius === undefined ? 0.8 : Math.min(1, Math.max(0, (s.maxCelsius - s.celsius) / HEADROOM_SPAN));
  }
}

/**
 * Rising temperature costs, within twice the headroom span of the max: every node warms when
 * it gets work, and a cool node warming is no concern. Falling is as good as flat.
 */
export function trend(ctx: DecisionContext, thermal: ThermalSignals): void {
  const col = columnOf(ctx, 'trend');
  if (!col) return;
  const live = ctx.live;
  for (let i = 0; i < live.length; i++) {
    const s = thermal.of(live[i]!.node);
    col[i] = s.celsius === undefined || s.maxCelsius - s.celsius > 2 * HEADROOM_SPAN ? 1 : 1 - Math.min(1, Math.max(0, s.trendPerMin / TREND_SPAN));
  }
}
