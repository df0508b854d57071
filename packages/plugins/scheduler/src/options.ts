import { FesterError, pluginOptions } from '@fester/core';
import { z } from '@fester/core/zod';
import { checkMode } from './modes/index.js';
import { NAME, type SchedulerSettings } from './Scheduler.js';

const weights = z.record(z.string().min(1), z.number().nonnegative().finite());

const schema = z.strictObject({
  /** Default mode; festerconfig `scheduler.mode` and `fester build --mode` win over it. */
  mode: z.string().optional(),
  /** Seed of the tie-breaks (same seed, same inputs → same decisions). */
  seed: z.number().int().nonnegative().optional(),
  /** Factor weights over the mode's defaults, e.g. `{ headroom: 2 }`. */
  weights: weights.optional(),
  /** target-isolated: the architecture of a target's pool, e.g. `{ 'arm-none-eabi': 'x86_64' }`. */
  pools: z.record(z.string().min(1), z.string().min(1)).optional(),
  /** Runtime history: `false` keeps it in memory only; `file` moves it from <cache dir>/scheduler/history.json. */
  history: z.union([z.literal(false), z.strictObject({ file: z.string().min(1).optional(), alpha: z.number().gt(0).max(1).optional() })]).optional(),
  /** Journal a `schedule.decision` per placement (default true). */
  record: z.boolean().default(true),
  /** Max temperature the thermal mode assumes for nodes when the thermal plugin is not loaded. */
  maxCelsius: z.number().min(-40).max(150).default(85),
  /** Time source in ms (the simulator's virtual clock). */
  clock: z.custom<() => number>((v) => typeof v === 'function', { message: 'a function returning milliseconds' }).optional(),
  /**
   * The caller waits and asks again when every node is filtered (the simulator). Lets the
   * intelligence mode hold an action for a much faster busy node. Off for real builds: the
   * core's runner fails an action no node takes.
   */
  canDefer: z.boolean().default(false),
  /** Order the run queue by critical path (longest predicted chain to the end first); default on. */
  criticalPath: z.boolean().default(true),
});

export type SchedulerOptions = z.input<typeof schema>;
export type ResolvedSchedulerOptions = z.output<typeof schema>;

export function parseOptions(options: SchedulerOptions | undefined): ResolvedSchedulerOptions {
  const o = pluginOptions(NAME, schema, options ?? {});
  if (o.mode !== undefined) checkMode(o.mode, `option "mode" of ${NAME}`);
  return o;
}

/**
 * The settings a Compiler runs with: festerconfig's `scheduler` block (which `--mode` fills)
 * over the plugin's options over the defaults. The block is loosely typed in the core, so its
 * values are checked here: an unknown mode is FE1001, a bad seed or weight FE1002.
 */
export function resolveSettings(o: ResolvedSchedulerOptions, block: Record<string, unknown> | undefined): SchedulerSettings {
  const b = block ?? {};
  const mode = typeof b.mode === 'string' ? checkMode(b.mode, 'festerconfig scheduler.mode / --mode') : b.mode === undefined ? checkMode(o.mode ?? 'unified', 'default') : bad('mode', 'a string');
  const seed = b.seed === undefined ? o.seed ?? 0 : Number.isInteger(b.seed) && (b.seed as number) >= 0 ? (b.seed as number) : bad('seed', 'a non-negative integer');
  let w: Record<string, number> = {};
  if (b.weights !== undefined) {
    const r = weights.safeParse(b.weights);
    if (!r.success) bad(`weights.${r.error.issues[0]?.path.join('.')}`, 'a non-negative number per factor name');
    else w = r.data;
  }
  return { mode, seed, weights: { ...o.weights, ...w }, pools: { ...o.pools, ...(b.pools as Record<string, string> | undefined) }, record: o.record, maxCelsius: o.maxCelsius };
}

function bad(key: string, what: string): never {
  throw new FesterError('FE1002', { message: `festerconfig scheduler.${key} must be ${what}` });
}
