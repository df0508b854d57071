import type { Candidate } from '@fester/core';
import { free, headroom, locality, policy, slotsOf } from '../factors.js';
import type { IntelligenceAdvisor } from '../intelligence/Advisor.js';
import type { RuntimeModel } from '../intelligence/RuntimeModel.js';
import type { ThermalSignals } from '../thermalSignals.js';
import type { DecisionContext, SchedulingMode } from './types.js';

/** Reason prefix of a node filtered only for having no free slot (the simulator's eligibility). */
export const BUSY_REASON = 'busy';
/** Wait for a busy node only when it is predicted to finish this much sooner than the best free one. */
const DEFER_GAIN = 0.7;

/**
 * Experimental. Earliest finish time (HEFT's placement rule) from an online runtime model per
 * node × action class × input size: a free slow node loses to a fast one that is free, and —
 * where the caller can wait (`host.canDefer`, the simulator) — to a busy fast one that will
 * finish much sooner. Ordering by critical path and speculative duplicates are advice the
 * caller takes from the published SchedulerAdvisor.
 */
export function intelligenceMode(model: RuntimeModel, advisor: IntelligenceAdvisor, signals: ThermalSignals): SchedulingMode {
  const finishIn = (ctx: DecisionContext, c: Candidate): number => {
    const wait = ctx.host.running(c.node) >= slotsOf(c.node) ? advisor.freeInMs(c.node.id) : 0;
    return wait + model.predictMs(c.node.id, ctx.action, ctx.cls);
  };
  return {
    name: 'intelligence',
    summary: 'earliest predicted finish from an online runtime model; critical-path priority and straggler duplicates as advice',
    weights: { eft: 2, free: 0.2, policy: 1.5, locality: 0.2, headroom: 0.3 },
    filter(ctx) {
      if (!ctx.host.canDefer || !ctx.live.length) return;
      let bestLive = Infinity;
      for (const c of ctx.live) bestLive = Math.min(bestLive, finishIn(ctx, c));
      let bestBusy = Infinity;
      let busyNode = '';
      for (const c of ctx.all) {
        if (!c.filtered?.startsWith(BUSY_REASON) || !advisor.canReserve(c.node.id, ctx.action.id)) continue;
        const f = advisor.freeInMs(c.node.id) + model.predictMs(c.node.id, ctx.action, ctx.cls);
        if (f < bestBusy) { bestBusy = f; busyNode = c.node.id; }
      }
      if (bestBusy >= bestLive * DEFER_GAIN) { advisor.release(ctx.action.id); return; }
      advisor.reserve(ctx.action.id, busyNode);
      for (const c of ctx.live) c.filtered = `intelligence: waits for ${busyNode} (finishes in ~${Math.round(bestBusy)} ms, here ~${Math.round(finishIn(ctx, c))} ms)`;
      ctx.live = [];
    },
    score(ctx) {
      const w = ctx.weights.eft;
      if (w) {
        const col = ctx.table.column('eft', w);
        let best = Infinity;
        for (let i = 0; i < ctx.live.length; i++) best = Math.min(best, (col[i] = finishIn(ctx, ctx.live[i]!)));
        for (let i = 0; i < ctx.live.length; i++) col[i] = best / col[i]!;
      }
      free(ctx);
      policy(ctx);
      locality(ctx);
      headroom(ctx, signals);
    },
  };
}
