import { headroom, trend } from '../factors.js';
import type { ThermalSignals } from '../thermalSignals.js';
import type { SchedulingMode } from './types.js';
import { UNIFIED_WEIGHTS, unifiedFactors } from './unified.js';

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
    // unified's weights plus heat: headroom 2 matches speed, so a node 15 °C or less from its
    // max loses to a cool one about as fast (measured, docs/scheduler.md).
    weights: { headroom: 2, trend: 0.5, ...UNIFIED_WEIGHTS },
    score(ctx) {
      headroom(ctx, signals);
      trend(ctx, signals);
      unifiedFactors(ctx);
    },
  };
}
