import { FesterError } from '@fester/core';
import { rng } from '../tieBreak.js';
import type { FarmInput, TraceInput } from './formats.js';

export const TRACE_KINDS = ['wide', 'deep', 'mixed'] as const;
export type TraceKind = (typeof TRACE_KINDS)[number];

export interface TraceGenOptions {
  actions?: number;
  seed?: number;
  targets?: string[];
  /** Multiply every runtime (5: heavy C++ translation units instead of C files). */
  scale?: number;
}

type A = TraceInput['actions'][number];

/** Log-normal around a median: build step times are skewed (a few huge translation units). */
const logNormal = (r: () => number, median: number, sigma: number) => median * Math.exp(sigma * Math.sqrt(-2 * Math.log(Math.max(1e-12, r()))) * Math.cos(2 * Math.PI * r()));
const int = (x: number) => Math.max(0, Math.round(x));

/**
 * Compiles in libraries of ~100, each including its library's headers and a few global ones
 * (shared digests: what locality can exploit), an archive per library, one link per target.
 */
function wide(n: number, r: () => number, targets: string[]): A[] {
  const out: A[] = [];
  const perTarget = Math.max(3, Math.floor(n / targets.length));
  for (const t of targets) {
    const libs = Math.max(1, Math.round((perTarget - 1) / 101));
    const archives: string[] = [];
    let left = perTarget - 1 - libs;
    for (let l = 0; l < libs; l++) {
      const count = l === libs - 1 ? left : Math.min(left, 100);
      left -= count;
      const objs: string[] = [];
      for (let k = 0; k < count; k++) {
        const id = `${t}/lib${l}/f${k}.o`;
        objs.push(id);
        out.push({ id, kind: 'compile', target: t, durationMs: int(logNormal(r, 800, 0.6)), outputBytes: int(logNormal(r, 60_000, 0.5)),
          inputs: [{ digest: `src:${id}`, bytes: int(logNormal(r, 12_000, 0.8)) }, ...[0, 1, 2, 3, 4].map((h) => ({ digest: `h:${t}:lib${l}:${h}`, bytes: 20_000 })), ...[0, 1, 2].map((h) => ({ digest: `h:global:${h}`, bytes: 50_000 }))] });
      }
      const ar = `${t}/lib${l}.a`;
      archives.push(ar);
      out.push({ id: ar, kind: 'archive', target: t, durationMs: int(100 + 3 * count), deps: objs, outputBytes: objs.length * 60_000 });
    }
    out.push({ id: `${t}/app`, kind: 'link', target: t, durationMs: int(logNormal(r, 4000, 0.3)), deps: archives, outputBytes: 2_000_000, parallel: 'high' });
  }
  return out;
}

/** Chains of dependent steps (generated code feeding generated code): the critical path dominates. */
function deep(n: number, r: () => number, targets: string[]): A[] {
  const out: A[] = [];
  const perTarget = Math.max(3, Math.floor(n / targets.length));
  for (const t of targets) {
    const chains = Math.max(1, Math.round(Math.sqrt(perTarget / 4)));
    const depth = Math.max(1, Math.floor((perTarget - 1) / chains));
    const tails: string[] = [];
    for (let c = 0; c < chains; c++) {
      let prev: string | undefined;
      for (let d = 0; d < depth; d++) {
        const id = `${t}/chain${c}/step${d}`;
        out.push({ id, kind: d % 5 === 0 ? 'custom' : 'compile', target: t, durationMs: int(logNormal(r, 700, 0.5)), deps: prev ? [prev] : [], outputBytes: 40_000, inputs: [{ digest: `src:${id}`, bytes: 8000 }] });
        prev = id;
      }
      tails.push(prev!);
    }
    out.push({ id: `${t}/app`, kind: 'link', target: t, durationMs: int(logNormal(r, 3000, 0.3)), deps: tails, outputBytes: 1_000_000, parallel: 'high' });
  }
  return out;
}

/**
 * A mixed project per target: a code generator many compiles wait for, libraries of uneven
 * size, several executables linking a few libraries each (half of them LTO: `parallel: high`).
 */
function mixed(n: number, r: () => number, targets: string[]): A[] {
  const out: A[] = [];
  // The first target gets the larger share (a main architecture and a secondary one).
  const shares = targets.map((_, i) => (i === 0 ? 0.6 : 0.4 / Math.max(1, targets.length - 1)));
  targets.forEach((t, ti) => {
    const budget = Math.max(10, Math.floor(n * (targets.length === 1 ? 1 : shares[ti]!)));
    const gen = `${t}/gen/config.h`;
    out.push({ id: gen, kind: 'custom', target: t, durationMs: int(logNormal(r, 2000, 0.2)), outputBytes: 200_000, inputs: [{ digest: `src:${gen}`, bytes: 30_000 }] });
    const libs: string[] = [];
    let left = budget - 1 - 6;
    for (let l = 0; left > 2; l++) {
      const count = Math.min(left - 1, 20 + Math.floor(r() * 130));
      left -= count + 1;
      const usesGen = r() < 0.3;
      const objs: string[] = [];
      for (let k = 0; k < count; k++) {
        const id = `${t}/lib${l}/f${k}.o`;
        objs.push(id);
        out.push({ id, kind: 'compile', target: t, durationMs: int(logNormal(r, 1000, 0.7)), deps: usesGen ? [gen] : [], outputBytes: int(logNormal(r, 80_000, 0.5)),
          inputs: [{ digest: `src:${id}`, bytes: int(logNormal(r, 15_000, 0.8)) }, ...[0, 1, 2, 3].map((h) => ({ digest: `h:${t}:lib${l}:${h}`, bytes: 30_000 })), { digest: 'h:global:0', bytes: 100_000 }] });
      }
      const ar = `${t}/lib${l}.a`;
      libs.push(ar);
      out.push({ id: ar, kind: 'archive', target: t, durationMs: int(100 + 4 * count), deps: objs, outputBytes: count * 80_000 });
    }
    for (let e = 0; e < 6; e++) {
      const picks = [...new Set([0, 1, 2].map(() => libs[Math.floor(r() * libs.length)]!))];
      const lto = e % 2 === 0;
      out.push({ id: `${t}/bin/app${e}`, kind: 'link', target: t, durationMs: int(logNormal(r, lto ? 12_000 : 3000, 0.3)), deps: picks, outputBytes: 3_000_000, ...(lto ? { parallel: 'high' as const } : {}) });
    }
  });
  return out;
}

export function generateTrace(kind: string, o: TraceGenOptions = {}): TraceInput {
  const r = rng(o.seed ?? 1);
  const n = o.actions ?? (kind === 'deep' ? 1000 : 3000);
  const targets = o.targets?.length ? o.targets : kind === 'mixed' ? ['x86_64-linux-gnu', 'aarch64-linux-gnu'] : ['x86_64-linux-gnu'];
  const make = { wide, deep, mixed }[kind as TraceKind];
  if (!make) throw new FesterError('FE1023', { message: `unknown trace generator "${kind}"`, hint: `use one of: ${[...TRACE_KINDS, 'farm'].join(', ')}` });
  const scale = o.scale ?? 1;
  const actions = make(n, r, targets).map((a) => (scale === 1 ? a : { ...a, durationMs: Math.round(a.durationMs * scale) }));
  return { version: 1, name: `${kind}-${n}${scale === 1 ? '' : `-x${scale}`}-s${o.seed ?? 1}`, actions };
}

export interface FarmGenOptions {
  /** Total nodes (default 50), split 20 % fast x86, 30 % medium, 30 % slow, 20 % hot ARM boards. */
  nodes?: number;
  seed?: number;
  /** Nodes that drop out once during the run (60 s each). */
  dropouts?: number;
}

/**
 * The benchmark's farm: three speeds of x86_64 machines (which also cross-build aarch64) and
 * ARM boards that build aarch64 natively but run hot — at full load they settle well above
 * 85 °C and throttle to a third of their speed.
 */
export function generateFarm(o: FarmGenOptions = {}): FarmInput {
  const total = Math.max(5, o.nodes ?? 50);
  const r = rng(o.seed ?? 1);
  const fast = Math.round(total * 0.2);
  const mid = Math.round(total * 0.3);
  const slow = Math.round(total * 0.3);
  const arm = total - fast - mid - slow;
  const both = ['x86_64-linux-gnu', 'aarch64-linux-gnu', 'host'];
  const nodes: FarmInput['nodes'] = [
    { id: 'x86-fast', count: fast, arch: 'x86_64', slots: 16, speed: 1.6, targets: both, bandwidthMBps: 1000, jitter: 0.1, thermal: { ambientCelsius: 30, risePerLoad: 35, tauSeconds: 90 } },
    { id: 'x86-mid', count: mid, arch: 'x86_64', slots: 8, speed: 1, targets: both, bandwidthMBps: 500, jitter: 0.1, thermal: { ambientCelsius: 35, risePerLoad: 30, tauSeconds: 90 } },
    { id: 'x86-slow', count: slow, arch: 'x86_64', slots: 4, speed: 0.5, targets: both, bandwidthMBps: 100, jitter: 0.15, thermal: { ambientCelsius: 35, risePerLoad: 25, tauSeconds: 60 } },
    { id: 'arm-board', count: arm, arch: 'aarch64', slots: 4, speed: 1, targets: ['aarch64-linux-gnu'], bandwidthMBps: 50, latencyMs: 5, jitter: 0.2, thermal: { ambientCelsius: 45, risePerLoad: 55, tauSeconds: 45, throttleFactor: 0.35 } },
  ];
  const out: FarmInput = { version: 1, name: `mixed-${total}`, tickMs: 1000, nodes };
  if (o.dropouts) {
    // Expand so single nodes can carry a dropout.
    const flat: FarmInput['nodes'] = nodes.flatMap((g) => Array.from({ length: g.count ?? 1 }, (_, k) => ({ ...g, id: `${g.id}-${String(k + 1).padStart(2, '0')}`, count: undefined })));
    for (let d = 0; d < o.dropouts; d++) {
      const n = flat[Math.floor(r() * flat.length)]!;
      n.dropouts = [...(n.dropouts ?? []), { atMs: Math.round(5000 + r() * 60_000), forMs: 60_000 }];
    }
    out.nodes = flat;
  }
  return out;
}
