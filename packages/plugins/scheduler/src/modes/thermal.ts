import { cpu, free, headroom, locality, policy, speed, trend } from '../factors.js';
import type { ThermalSignals } from '../thermalSignals.js';
import type { SchedulingMode } from './types.js';

/**
 * Weighted thermal-aware: the unified factors plus headroom to each node's max temperature
 * and its trend. Both are 1 far from the limit, so a cool farm is scheduled like unified; as
 * a node approaches its max they fall and work flows to cooler nodes before it gets there. The hard rules (no dispatch at the max, fewer slots near it) are the thermal
 * plugin's; this mode makes them rarely needed.
 */
export function thermalMode(signals: ThermalSignals): SchedulingMode {
  return {
    name: 'thermal',
    summary: 'unified factors plus headroom to the node’s max temperature and its trend',
    weights: { headroom: 1, trend: 0.4, free: 1, policy: 1.5, cpu: 0.2, speed: 1, locality: 0.3 },
    score(ctx) {
      headroom(ctx, signals);
      trend(ctx, signals);
      free(ctx);
      policy(ctx);
      cpu(ctx);
      speed(ctx);
      locality(ctx);
    },
  };
}
