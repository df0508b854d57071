import { readFileSync } from 'node:fs';
import { FesterError } from '@fester/core';
import { z } from '@fester/core/zod';
import { jsonErrorPosition, locateJsonPath, type LineCol } from './jsonLocation.js';

/** One action of a trace: its reference runtime (on a speed-1 node), what it needs and what it makes. */
const traceAction = z.strictObject({
  id: z.string().min(1),
  kind: z.enum(['compile', 'archive', 'link', 'custom']).default('compile'),
  target: z.string().min(1),
  /** Runtime on a node of speed 1, in ms. */
  durationMs: z.number().nonnegative().finite(),
  /** Ids of actions whose outputs it reads. */
  deps: z.array(z.string().min(1)).default([]),
  /** Source blobs it reads (shared headers share a digest: that is what locality is about). */
  inputs: z.array(z.strictObject({ digest: z.string().min(1), bytes: z.number().int().nonnegative() })).default([]),
  outputBytes: z.number().int().nonnegative().default(0),
  /** `high`: uses every core of its node (LTO link); the sustained-load rule applies. */
  parallel: z.enum(['normal', 'high']).optional(),
});

export const traceSchema = z.strictObject({
  version: z.literal(1),
  name: z.string().optional(),
  actions: z.array(traceAction).min(1),
});

const thermalModel = z.strictObject({
  ambientCelsius: z.number().min(-40).max(120).default(35),
  /** Degrees above ambient the node settles at with every slot computing. */
  risePerLoad: z.number().nonnegative().max(150).default(30),
  /** Time constant of heating and cooling, seconds. */
  tauSeconds: z.number().positive().default(60),
  /** Above this the hardware throttles (and the thermal plugin stops dispatching). */
  maxCelsius: z.number().min(-40).max(150).default(85),
  /** Speed while above the max. */
  throttleFactor: z.number().gt(0).max(1).default(0.5),
  startCelsius: z.number().min(-40).max(150).optional(),
});

const farmNode = z.strictObject({
  id: z.string().min(1),
  /** Replicate: `count: 10` makes id-01 … id-10. */
  count: z.number().int().positive().max(10_000).optional(),
  kind: z.enum(['physical', 'vm', 'container']).default('physical'),
  arch: z.string().min(1),
  slots: z.number().int().positive(),
  /**
   * Actions a node accepts beyond its slots, waiting for one to free (the farm's one queued
   * lease per node). Fester's modes may queue; the baselines, like distcc and icecream, never do.
   */
  queue: z.number().int().nonnegative().max(64).default(1),
  /** Work per ms relative to the trace's reference node. */
  speed: z.number().positive().finite().default(1),
  targets: z.array(z.string().min(1)).min(1),
  policy: z.enum(['preferred', 'neutral', 'avoid', 'drain']).optional(),
  labels: z.record(z.string(), z.string()).default({}),
  bandwidthMBps: z.number().positive().default(100),
  latencyMs: z.number().nonnegative().default(2),
  /** σ of a log-normal factor on each run's time (0: exact). */
  jitter: z.number().nonnegative().max(2).default(0),
  thermal: thermalModel.optional(),
  /** The node drops out at `atMs` and, with `forMs`, comes back after it (its running actions are lost). */
  dropouts: z.array(z.strictObject({ atMs: z.number().nonnegative(), forMs: z.number().positive().optional() })).default([]),
});

export const farmSchema = z.strictObject({
  version: z.literal(1),
  name: z.string().optional(),
  /** Thermal model and heartbeat step, ms. */
  tickMs: z.number().positive().max(60_000).default(1000),
  nodes: z.array(farmNode).min(1),
});

export type TraceInput = z.input<typeof traceSchema>;
export type Trace = z.output<typeof traceSchema>;
export type TraceAction = Trace['actions'][number];
export type FarmInput = z.input<typeof farmSchema>;
export type Farm = z.output<typeof farmSchema>;
export type FarmNode = Farm['nodes'][number];
export type ThermalModel = z.output<typeof thermalModel>;

/** Parsed data and the text it came from (to point errors at a line). */
interface Source { file: string; text?: string }

function fail(code: 'FE1020' | 'FE1021', src: Source, path: readonly (string | number)[], message: string, at?: LineCol): never {
  const where = at ?? (src.text !== undefined && path.length ? locateJsonPath(src.text, path) : undefined);
  throw new FesterError(code, { message: `${path.length ? `${path.join('.')}: ` : ''}${message}`, location: { file: src.file, ...(where ? { line: where.line, col: where.col } : {}) } });
}

function parseWith<S extends z.ZodType>(schema: S, code: 'FE1020' | 'FE1021', data: unknown, src: Source): z.output<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  const path = i.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
  if (i.code === 'unrecognized_keys') return fail(code, src, [...path, i.keys[0]!], `unknown key "${i.keys[0]}"`);
  return fail(code, src, path, i.message);
}

/** Check a trace: schema, unique ids, known dependencies, no cycle. */
export function parseTrace(data: unknown, file = '<trace>', text?: string): Trace {
  const src: Source = { file, ...(text !== undefined ? { text } : {}) };
  const t = parseWith(traceSchema, 'FE1020', data, src);
  const index = new Map<string, number>();
  t.actions.forEach((a, i) => {
    if (index.has(a.id)) fail('FE1020', src, ['actions', i, 'id'], `duplicate action id "${a.id}" (first at actions.${index.get(a.id)})`);
    index.set(a.id, i);
  });
  t.actions.forEach((a, i) => a.deps.forEach((d, j) => {
    if (!index.has(d)) fail('FE1020', src, ['actions', i, 'deps', j], `unknown action "${d}"`);
    if (d === a.id) fail('FE1020', src, ['actions', i, 'deps', j], `action "${a.id}" depends on itself`);
  }));
  // Kahn's algorithm: whatever is left has a cycle.
  const pending = t.actions.map((a) => a.deps.length);
  const users = new Map<string, number[]>();
  t.actions.forEach((a, i) => a.deps.forEach((d) => { const l = users.get(d); if (l) l.push(i); else users.set(d, [i]); }));
  const queue = pending.flatMap((p, i) => (p === 0 ? [i] : []));
  let seen = 0;
  while (queue.length) {
    const i = queue.pop()!;
    seen++;
    for (const u of users.get(t.actions[i]!.id) ?? []) if (--pending[u]! === 0) queue.push(u);
  }
  if (seen < t.actions.length) {
    const i = pending.findIndex((p) => p > 0);
    fail('FE1020', src, ['actions', i, 'deps'], `dependency cycle through "${t.actions[i]!.id}"`);
  }
  return t;
}

/** Check a farm and expand `count` replicas into single nodes. */
export function parseFarm(data: unknown, file = '<farm>', text?: string): Farm {
  const src: Source = { file, ...(text !== undefined ? { text } : {}) };
  const f = parseWith(farmSchema, 'FE1021', data, src);
  const nodes: FarmNode[] = [];
  for (const n of f.nodes) {
    if (!n.count) { nodes.push(n); continue; }
    const width = String(n.count).length < 2 ? 2 : String(n.count).length;
    for (let k = 1; k <= n.count; k++) nodes.push({ ...n, id: `${n.id}-${String(k).padStart(width, '0')}`, count: undefined });
  }
  const seen = new Set<string>();
  nodes.forEach((n, i) => {
    if (seen.has(n.id)) fail('FE1021', src, ['nodes', i, 'id'], `duplicate node id "${n.id}"`);
    seen.add(n.id);
  });
  return { ...f, nodes };
}

function readJson(file: string, code: 'FE1020' | 'FE1021'): { data: unknown; text: string } {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new FesterError('FE0003', { message: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
  }
  try { return { data: JSON.parse(text), text }; } catch (e) {
    const msg = (e as Error).message;
    return fail(code, { file }, [], `not JSON: ${msg}`, jsonErrorPosition(text, msg));
  }
}

export function loadTrace(file: string): Trace {
  const { data, text } = readJson(file, 'FE1020');
  return parseTrace(data, file, text);
}

export function loadFarm(file: string): Farm {
  const { data, text } = readJson(file, 'FE1021');
  return parseFarm(data, file, text);
}
