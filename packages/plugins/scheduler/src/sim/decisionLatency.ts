import { performance } from 'node:perf_hooks';
import { ActionGraph, chooseNode, Compiler, type FesterPlugin, type NodeInfo } from '@fester/core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import scheduler from '../index.js';
import type { ModeName } from '../modes/types.js';
import { rng } from '../tieBreak.js';
import { percentile } from './result.js';

export interface LatencyOptions {
  nodes: number;
  /** Ready actions, each placed once against the whole farm. */
  actions: number;
  mode: ModeName;
  seed?: number;
  /** More plugins on the same hook (the CLI adds the thermal plugin). */
  plugins?: FesterPlugin[];
}

export interface LatencyResult {
  decisions: number;
  /** Wall clock per decision. */
  meanMs: number; p50Ms: number; p99Ms: number; maxMs: number;
  /** CPU time of this process per decision: on a shared machine, wall time also counts the waits for a core. */
  cpuP50Ms: number; cpuP99Ms: number;
}

/**
 * The cost of one placement on a large farm: `actions` ready compiles placed one by one by the
 * core's own `chooseNode` (core eligibility, the mode, every other plugin, the decision record,
 * `action.scheduled`)
 * over `nodes` nodes of mixed speed, load, temperature and policy. Each placement starts its
 * action on the chosen node, so load changes as it would; nothing else runs in between.
 */
export function decisionLatency(o: LatencyOptions): LatencyResult {
  const r = rng(o.seed ?? 1);
  const nodes: NodeInfo[] = Array.from({ length: o.nodes }, (_, i) => ({
    id: `n${String(i).padStart(4, '0')}`, kind: 'physical', arch: i % 5 === 4 ? 'aarch64' : 'x86_64', slots: [4, 8, 16][i % 3]!,
    targets: i % 5 === 4 ? ['aarch64-linux-gnu'] : ['x86_64-linux-gnu', 'aarch64-linux-gnu'], labels: {}, state: 'ready',
    policy: i % 50 === 0 ? 'avoid' : i % 97 === 0 ? 'drain' : 'neutral', cores: 8, load: Math.round(r() * 800) / 100,
    temps: [{ sensor: 'cpu', celsius: 40 + Math.round(r() * 500) / 10 }], running: 0,
  }));
  const compiler = new Compiler({ config: { plugins: [scheduler({ mode: o.mode, seed: o.seed ?? 0, history: false }), ...(o.plugins ?? [])] }, cacheDir: join(tmpdir(), 'fester-latency-unused') });
  compiler.replaceNodes(nodes);
  const build = compiler.createBuild({ file: '<latency>', journal: false });
  const targets = ['x86_64-linux-gnu', 'aarch64-linux-gnu'];
  build.graph = new ActionGraph(Array.from({ length: o.actions }, (_, i) => {
    const lib = i % 100;
    const inputDigests = [`src:${i}`, `h:${lib}:0`, `h:${lib}:1`, 'h:global'];
    return { id: `a${i}`, kind: 'compile' as const, target: targets[i % 7 === 0 ? 1 : 0]!, argv: ['cc', '-c'], cwd: '.', inputs: inputDigests, outputs: [`o${i}`], orderOnly: [], env: {}, meta: { inputDigests } };
  }));
  const samples: number[] = [];
  const cpu: number[] = [];
  for (const a of build.graph.actions) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const { node } = chooseNode(build, a);
    samples.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    if (node) build.emit({ type: 'action.started', action: a.id, node: node.id, argv: ['cc'], cwd: '.' });
  }
  const mean = samples.reduce((s, x) => s + x, 0) / samples.length;
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  return { decisions: samples.length, meanMs: r4(mean), p50Ms: r4(percentile(samples, 50)), p99Ms: r4(percentile(samples, 99)), maxMs: r4(Math.max(...samples)), cpuP50Ms: r4(percentile(cpu, 50)), cpuP99Ms: r4(percentile(cpu, 99)) };
}
