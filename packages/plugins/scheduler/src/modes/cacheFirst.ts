import { cpu, free, locality, policy, speed } from '../factors.js';
import type { SchedulingMode } from './types.js';

/**
 * Cache-first: where the inputs already are beats everything but policy. Inputs travel once per
 * node, so sending an action to the node that built its dependencies (or fetched the same
 * headers) saves the transfer. Needs an InputLocality provider; without one it is a
 * load balancer (and says so once in the journal).
 */
export function cacheFirstMode(): SchedulingMode {
  return {
    name: 'cache-first',
    summary: 'prefers nodes that already hold the action’s inputs, minimising transfer',
    weights: { locality: 2, free: 0.6, policy: 1.5, speed: 0.2, cpu: 0.1 },
    score(ctx) {
      locality(ctx);
      free(ctx);
      policy(ctx);
      speed(ctx);
      cpu(ctx);
    },
  };
}
