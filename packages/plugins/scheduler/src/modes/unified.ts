import { cpu, free, locality, policy, speed } from '../factors.js';
import type { SchedulingMode } from './types.js';

/**
 * The default: keep every slot busy (free), honour the user's policy, avoid machines other
 * work has loaded (cpu), prefer nodes history says are fast for this kind of action (speed)
 * and nodes that already hold the inputs (locality, when the farm reports it).
 */
export function unifiedMode(): SchedulingMode {
  return {
    name: 'unified',
    summary: 'balances free slots, policy, OS load, history and data locality',
    // policy 1.5: an avoided node (0) loses 0.75 against a neutral one (0.5) — it takes work
    // only when the others are three-quarters busy, the core's balance rule.
    // speed 1: a fast node half full still beats an idle node at a third of its speed.
    weights: { free: 1, policy: 1.5, cpu: 0.2, speed: 1, locality: 0.3 },
    score(ctx) {
      free(ctx);
      policy(ctx);
      cpu(ctx);
      speed(ctx);
      locality(ctx);
    },
  };
}
