/**
 * `@fester/plugin-scheduler/sim`: the farm simulator behind `fester simulate` and the
 * scheduler benchmark. A subpath of its own so that loading the plugin for a build does not
 * load the simulator.
 */
import { Simulation, type SimOptions } from './Simulation.js';
import type { SimResult } from './result.js';

/**
 * Run the trace once; with `warm`, first run it that many times carrying the scheduler's
 * history from one run to the next (a farm that built the project before), and report the
 * last run.
 */
export function simulate(options: SimOptions & { warm?: number }): SimResult {
  let history = options.history;
  for (let i = 0; i < (options.warm ?? 0); i++) {
    const s = new Simulation({ ...options, history });
    s.run();
    history = s.learned() ?? history;
  }
  const r = new Simulation({ ...options, history }).run();
  return options.warm ? { ...r, warm: options.warm } : r;
}

export { Simulation, type SimOptions } from './Simulation.js';
export { formatResult, formatTable, percentile, type SimResult } from './result.js';
export { parseTrace, parseFarm, loadTrace, loadFarm, traceSchema, farmSchema, type Trace, type TraceInput, type TraceAction, type Farm, type FarmInput, type FarmNode, type ThermalModel } from './formats.js';
export { generateTrace, generateFarm, TRACE_KINDS, type TraceKind, type TraceGenOptions, type FarmGenOptions } from './generators.js';
export { traceFromJournal } from './exportTrace.js';
export { lowerBound, type LowerBound } from './lowerBound.js';
export { BASELINES, roundRobin, fastestFree, type Baseline } from './baselines.js';
export { simEligibility, specsOf } from './setup.js';
export { decisionLatency, type LatencyOptions, type LatencyResult } from './decisionLatency.js';
