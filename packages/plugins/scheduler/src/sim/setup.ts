import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionGraph, Compiler, FesterError, type ActionSpec, type FesterPlugin } from '@fester/core';
import scheduler from '../index.js';
import { provideInputLocality } from '../locality.js';
import type { ModeName } from '../modes/types.js';
import { fastestFree, roundRobin, type Baseline } from './baselines.js';
import type { Farm, Trace } from './formats.js';

/** Stage of the core's eligibility filters, which the simulator stands in for. */
const ELIGIBILITY_STAGE = -100;

/**
 * The simulator's stand-in for the core's eligibility: down nodes, nodes without the target,
 * draining nodes — and nodes whose slots and queue are all taken (`busy: …`, the prefix the
 * intelligence mode recognises).
 */
export function simEligibility(): FesterPlugin {
  return {
    name: 'sim:eligibility',
    apply(compiler) {
      compiler.hooks.build.tap('sim:eligibility', (build) => {
        build.hooks.schedule.tap({ name: 'sim:eligibility', stage: ELIGIBILITY_STAGE }, (all, action) => {
          for (const c of all) {
            if (c.filtered) continue;
            const n = c.node;
            if (n.state && n.state !== 'ready') c.filtered = `${n.state}${n.stateReason ? `: ${n.stateReason}` : ''}`;
            else if (!n.targets.includes(action.target)) c.filtered = `no ${action.target} toolchain`;
            else if (n.policy === 'drain') c.filtered = 'policy drain';
            else if ((n.running ?? 0) >= n.slots + (n.queue ?? 0)) c.filtered = `busy: ${n.running}/${n.slots} slots${n.queue ? ` + ${n.queue} queued` : ''}`;
          }
          return all;
        });
      });
    },
  };
}

/** Each trace action as the core's ActionSpec: inputs are source blobs and the deps' outputs. */
export function specsOf(trace: Trace): ActionSpec[] {
  return trace.actions.map((a) => ({
    id: a.id, kind: a.kind, target: a.target, argv: [a.kind], cwd: '.',
    inputs: [...a.inputs.map((i) => `src/${i.digest}`), ...a.deps.map((d) => `out/${d}`)],
    outputs: [`out/${a.id}`], orderOnly: [], env: {},
    meta: {
      inputDigests: [...a.inputs.map((i) => i.digest), ...a.deps.map((d) => `out:${d}`)],
      inputBytes: a.inputs.reduce((s, i) => s + i.bytes, 0),
      ...(a.parallel ? { parallel: a.parallel } : {}),
    },
  }));
}

/** Every action's target must be buildable somewhere, or the run could never finish. */
export function checkFits(trace: Trace, farm: Farm): void {
  const targets = new Set(farm.nodes.flatMap((n) => n.targets));
  const missing = [...new Set(trace.actions.map((a) => a.target))].filter((t) => !targets.has(t));
  if (missing.length) {
    const ex = trace.actions.find((a) => a.target === missing[0])!;
    throw new FesterError('FE1022', { message: `no node of the farm builds ${missing.join(', ')} (e.g. action "${ex.id}")` });
  }
}

export interface SimSetup {
  mode: ModeName | Baseline;
  seed: number;
  weights?: Record<string, number>;
  advice: boolean;
  record: boolean;
  clock: () => number;
  farm: Farm;
  /** Bytes per blob digest, for the locality provider. */
  sizes: Map<string, number>;
  holds: (node: string) => ReadonlySet<string> | undefined;
  speedOf: (node: string) => number;
  extra: FesterPlugin[];
}

/**
 * A real Compiler and Build with the real plugins: the simulator calls the same
 * `build.hooks.schedule` a build calls, so what it measures is the shipped scoring code.
 */
export function makeBuild(trace: Trace, s: SimSetup) {
  const plugins: FesterPlugin[] = [simEligibility()];
  if (s.mode === 'round-robin') plugins.push(roundRobin());
  else if (s.mode === 'fastest-free') plugins.push(fastestFree(s.speedOf));
  else plugins.push(scheduler({ mode: s.mode, seed: s.seed, ...(s.weights ? { weights: s.weights } : {}), history: false, record: s.record, clock: s.clock, canDefer: s.advice }));
  plugins.push(...s.extra);
  const compiler = new Compiler({ config: { plugins }, cacheDir: join(tmpdir(), 'fester-sim-unused') });
  provideInputLocality(compiler, {
    has(node, digests) {
      const held = s.holds(node);
      if (!held) return 0;
      let have = 0;
      let total = 0;
      for (const d of digests) {
        const b = s.sizes.get(d) ?? 0;
        total += b;
        if (held.has(d)) have += b;
      }
      if (total > 0) return have / total;
      return digests.length ? digests.filter((d) => held.has(d)).length / digests.length : 0;
    },
  });
  const build = compiler.createBuild({ file: '<simulation>', journal: false });
  build.graph = new ActionGraph(specsOf(trace));
  return { compiler, build };
}
