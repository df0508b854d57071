import type { NodeInfo } from '@fester/core';
import type { TempState } from './ThermalGuard.js';

/**
 * The key under which the thermal plugin publishes its view on the Compiler. A global symbol,
 * not an import: the scheduler's thermal mode (another package) and a farm coordinator read it
 * without depending on this plugin, and a missing view simply means "no thermal plugin".
 */
export const THERMAL_VIEW = Symbol.for('fester.thermal.view');

export interface ThermalReading {
  celsius?: number;
  sensor?: string;
  /** °C per minute, smoothed; positive while heating. */
  trendPerMin: number;
  state: TempState;
  /** Load average above the threshold for the whole window. */
  sustained: boolean;
}

/** What other plugins may ask the thermal plugin (structurally typed on their side). */
export interface ThermalView {
  /** The node's max temperature in °C (per-node override or the default). */
  maxCelsius(nodeId: string): number;
  /** The node's latest reading and state; observes it first (reads sysfs for the local node when stale). */
  reading(node: NodeInfo): ThermalReading;
}

export function publishThermalView(target: object, view: ThermalView): void {
  Object.defineProperty(target, THERMAL_VIEW, { value: view, configurable: true });
}

export function thermalViewOf(target: object): ThermalView | undefined {
  return (target as Record<symbol, ThermalView | undefined>)[THERMAL_VIEW];
}

/** Actions that use every core of a node (the core's rule, published here too). */
export { isParallelHigh } from '@fester/core';
