import { cpu, free, locality, policy, speed } from '../factors.js';
import type { DecisionContext, SchedulingMode } from './types.js';

/**
 * The default: keep every slot busy (free), honour the user's policy, avoid machines other
 * work has loaded (cpu), prefer nodes history says are fast for this kind of action (speed)
 * and nodes that already hold the inputs (locality, when the farm reports it).
 */
export function unifiedMode(): SchedulingMode {
  return {
    name: 'unified',
    summary: 'balances free slots, policy, OS load, history and data locality',
    // Speed dominates: an idle slot on a node a third as fast is worth less than a queue
    // place on a fast one (a long action stranded on a slow node sets the makespan; measured
    // on the simulator's 50-node farm, docs/scheduler.md). free 0.25 spreads load among
    // nodes of equal speed; policy 0.4: an avoided node (0) loses 0.2 to a neutral one (0.5),
    // so it takes work when the others are four-fifths full.
    weights: UNIFIED_WEIGHTS,
    score: unifiedFactors,
  };
}

export const UNIFIED_WEIGHTS: Readonly<Record<string, number>> = { free: 0.25, policy: 0.4, cpu: 0.1, speed: 2, locality: 0.3 };

/** The unified factors, in their order (the sum's order: a replayed decision adds them the same way). */
export function unifiedFactors(ctx: DecisionContext): void {
  free(ctx);
  policy(ctx);
  cpu(ctx);
  speed(ctx);
  locality(ctx);
}
