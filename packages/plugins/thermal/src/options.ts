import { pluginOptions, PluginOptionError } from '@fester/core';
import { z } from '@fester/core/zod';

export const NAME = '@fester/plugin-thermal';

const celsius = z.number().min(-40).max(150);
const fraction = z.number().gt(0).max(1);
/** A duration: milliseconds, or a number with a unit (`90s`, `5m`, `1h`). */
const duration = z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h)$/, 'a duration such as 90s, 5m or 300000')]);

const perNode = z.strictObject({
  maxCelsius: celsius.optional(),
  hysteresis: z.number().nonnegative().max(50).optional(),
  nearCelsius: z.number().nonnegative().max(50).optional(),
  nearSlotsFactor: fraction.optional(),
});

const schema = z.strictObject({
  /** No new dispatch to a node at or above this (hardening guide: 85 °C). */
  maxCelsius: celsius.default(85),
  /** A throttled node takes work again only below `maxCelsius − hysteresis`. */
  hysteresis: z.number().nonnegative().max(50).default(5),
  /** Within this many degrees below the max a node is `near`: it gets fewer slots. */
  nearCelsius: z.number().nonnegative().max(50).default(5),
  /** Share of its slots a `near` node may fill (at least one). */
  nearSlotsFactor: fraction.default(0.5),
  /** Load average above `factor` × cores for `window`: no `parallel: high` actions (LTO links) there. */
  sustainedLoad: z.strictObject({
    enabled: z.boolean().default(true),
    window: duration.default('5m'),
    factor: z.number().positive().default(1),
    /** Released when the load falls below `release` × the threshold (hysteresis). */
    release: fraction.default(0.9),
  }).default({ enabled: true, window: '5m', factor: 1, release: 0.9 }),
  /** Per-node overrides, by node id: `{ 'pi-3': { maxCelsius: 75 } }`. */
  nodes: z.record(z.string().min(1), perNode).default({}),
  /** Where the local node's sensors are (node_exporter's --path.sysfs); tests point it at generated files. */
  sysfsRoot: z.string().min(1).default('/sys'),
  /** The node whose temperature this process reads itself (the embedded default's `local`). */
  localNode: z.string().min(1).default('local'),
  /** Re-read the local sysfs at most this often. */
  pollMs: z.number().nonnegative().default(2000),
  /** Time source in ms (the simulator passes its virtual clock). */
  clock: z.custom<() => number>((v) => typeof v === 'function', { message: 'a function returning milliseconds' }).optional(),
  /** Load average of the local node (default: os.loadavg()[0]); tests and the simulator replace it. */
  localLoad: z.custom<() => number>((v) => typeof v === 'function', { message: 'a function returning the 1-minute load average' }).optional(),
});

export type ThermalOptions = z.input<typeof schema>;
export type ResolvedThermalOptions = z.output<typeof schema>;

/** The thresholds that apply to one node. */
export interface NodeLimits {
  maxCelsius: number;
  hysteresis: number;
  nearCelsius: number;
  nearSlotsFactor: number;
}

export function parseDuration(v: number | string, option: string): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/.exec(v);
  if (!m) throw new PluginOptionError(NAME, option, `plugin "${NAME}": option "${option}": "${v}" is not a duration`, 'give milliseconds or a number with a unit: 90s, 5m, 1h');
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

export function resolveOptions(options: ThermalOptions | undefined): ResolvedThermalOptions & { windowMs: number } {
  const o = pluginOptions(NAME, schema, options ?? {});
  return { ...o, windowMs: parseDuration(o.sustainedLoad.window, 'sustainedLoad.window') };
}

export function limitsOf(o: ResolvedThermalOptions, node: string): NodeLimits {
  const n = o.nodes[node] ?? {};
  return {
    maxCelsius: n.maxCelsius ?? o.maxCelsius,
    hysteresis: n.hysteresis ?? o.hysteresis,
    nearCelsius: n.nearCelsius ?? o.nearCelsius,
    nearSlotsFactor: n.nearSlotsFactor ?? o.nearSlotsFactor,
  };
}
