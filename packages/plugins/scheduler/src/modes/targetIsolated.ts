import type { Candidate } from '@fester/core';
import { normalizeArch, targetArch } from '../arch.js';
import { BUSY_REASON } from './intelligence.js';
import { UNIFIED_WEIGHTS, unifiedFactors } from './unified.js';
import type { DecisionContext, SchedulingMode } from './types.js';

/** Node label that dedicates a node to some targets' pools: `fester.pool=aarch64-linux-gnu,arm-none-eabi`. */
export const POOL_LABEL = 'fester.pool';

/**
 * Target-isolated: every target builds in a pool of nodes of one architecture, never mixed.
 * The pool's architecture is `pools[target]` from the options, else the architecture with the
 * most eligible slots for the target (the native one on a tie: aarch64 code on aarch64 boards
 * when they are as many; x86_64 cross compilers when they outnumber them). It is fixed at the
 * first decision for the target and kept for the session, so a pool never changes arch midway.
 * Nodes labelled `fester.pool` serve only the targets they list.
 */
export function targetIsolatedMode(pools: Readonly<Record<string, string>> = {}): SchedulingMode {
  const chosen = new Map<string, string>();
  return {
    name: 'target-isolated',
    summary: 'one pool of one architecture per target; never mixes architectures in a pool',
    weights: UNIFIED_WEIGHTS,
    filter(ctx) {
      const target = ctx.action.target;
      let arch = chosen.get(target);
      if (!arch) {
        // Nodes out only for now (busy, hot) count: a pool fixed while the big machines are busy must not be the few idle boards.
        const able = ctx.all.filter((c) => (!c.filtered || c.waitMs !== undefined || c.filtered.startsWith(BUSY_REASON)) && servesTarget(c, target));
        arch = poolArch(target, able, pools[target]);
        // An empty pool is not remembered: nodes may still register.
        if (arch) chosen.set(target, arch);
      }
      for (const c of ctx.live) {
        if (!servesTarget(c, target)) c.filtered = `target-isolated: node is dedicated to pool ${c.node.labels[POOL_LABEL]}`;
        else if (normalizeArch(c.node.arch) !== arch) c.filtered = `target-isolated: pool of ${target} is ${arch}, node is ${normalizeArch(c.node.arch)}`;
      }
      ctx.live = ctx.live.filter((c) => !c.filtered);
    },
    score: unifiedFactors,
  };
}

function servesTarget(c: Candidate, target: string): boolean {
  const label = c.node.labels[POOL_LABEL];
  return !label || label.split(',').map((s) => s.trim()).includes(target);
}

function poolArch(target: string, eligible: readonly Candidate[], configured?: string): string | undefined {
  if (configured) return normalizeArch(configured);
  if (!eligible.length) return undefined;
  // The architecture with the most slots for this target; the native one on a tie. A few
  // native boards must not become the whole pool when cross-compiling servers outnumber them.
  const native = targetArch(target);
  const slots = new Map<string, number>();
  for (const c of eligible) {
    const a = normalizeArch(c.node.arch);
    slots.set(a, (slots.get(a) ?? 0) + c.node.slots);
  }
  return [...slots].sort((x, y) => y[1] - x[1] || Number(y[0] === native) - Number(x[0] === native) || x[0].localeCompare(y[0]))[0]![0];
}

export type { DecisionContext };
