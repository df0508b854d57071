import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ActionGraph, chooseNode, Compiler, type FesterEvent, type NodeInfo } from '@fester/core';
import scheduler from '@fester/plugin-scheduler';
import thermal from '@fester/plugin-thermal';
import { replayRecorder } from '../../src/replay/recorder.js';
import { replayDecisions } from '../../src/replay/replayDecisions.js';

const NODES = 40;

function node(i: number, extra: Partial<NodeInfo> = {}): NodeInfo {
  return {
    id: `n${String(i).padStart(2, '0')}`, kind: 'physical', arch: 'x86_64', slots: 2 + (i % 3) * 2, targets: ['*'], labels: {}, state: 'ready',
    cores: 8, load: (i % 7) / 2, temps: [{ sensor: 'cpu', celsius: 50 + (i % 9) * 5 }], ...extra,
  };
}

/**
 * A 40-node farm placing 60 actions through the core's own chooseNode, with the default
 * recorder: starts, finishes, a policy change and a heartbeat (new node snapshots) in between,
 * so the recorded changes are of every kind.
 */
function session(mode: string, size = NODES): FesterEvent[] {
  const compiler = new Compiler({ config: { plugins: [scheduler({ mode: mode as 'unified', history: false }), thermal(), replayRecorder()] }, cacheDir: mkdtempSync(join(tmpdir(), 'fester-replay-delta-')) });
  const events: FesterEvent[] = [];
  compiler.hooks.event.tap('test', (e) => { events.push(e); });
  let nodes = Array.from({ length: size }, (_, i) => node(i));
  compiler.replaceNodes(nodes);
  const build = compiler.createBuild({ file: '<test>', journal: false });
  const specs = Array.from({ length: 60 }, (_, i) => ({ id: `host/f${i}.o`, kind: 'compile' as const, target: 'host', argv: ['cc', '-c', `f${i}.c`], cwd: '.', inputs: [], outputs: [`f${i}.o`], orderOnly: [], env: {}, meta: { inputDigests: [`src:${i}`, `h:${i % 4}`] } }));
  build.graph = new ActionGraph(specs);
  const running: [string, string][] = [];
  specs.forEach((a, i) => {
    build.emit({ type: 'action.queued', action: a.id, kind: a.kind, target: a.target });
    const { node: n } = chooseNode(build, build.graph!.get(a.id)!);
    if (n) { build.emit({ type: 'action.started', action: a.id, node: n.id, argv: a.argv, cwd: '.' }); running.push([a.id, n.id]); }
    if (i % 3 === 2) {
      const [done, on] = running.shift()!;
      build.emit({ type: 'action.finished', action: done, node: on, exitCode: 0, durationMs: 500 + i * 10, status: 'success' });
    }
    // A heartbeat: every node gets a new snapshot, one of them with a new policy and temperature.
    if (i === 20) { nodes = nodes.map((x, k) => (k === 5 ? { ...x, policy: 'avoid', temps: [{ sensor: 'cpu', celsius: 70 }] } : { ...x })); compiler.replaceNodes(nodes); }
  });
  return events;
}

const inputs = (events: FesterEvent[]) => events.filter((e) => e.type === 'plugin.event' && e.plugin === 'fester:replay') as unknown as { data: { nodes: unknown[]; order?: string[]; delta?: boolean } }[];

describe('replay recorder: changes only', () => {
  it('writes each node once, then only what changed, and replay reproduces every decision from the changes', () => {
    for (const mode of ['unified', 'thermal', 'cache-first']) {
      const events = session(mode);
      const recs = inputs(events);
      expect(recs.length).toBe(60);
      expect(recs.every((r) => r.data.delta)).toBe(true);
      expect(recs[0]!.data.nodes).toHaveLength(NODES);
      expect(recs[0]!.data.order).toHaveLength(NODES);
      // Later records carry a few nodes (the one that just took or finished work), not the farm.
      const later = recs.slice(1).map((r) => r.data.nodes.length);
      expect(Math.max(...later.filter((_, i) => i + 1 !== 21))).toBeLessThan(NODES / 4);
      const report = replayDecisions(events);
      expect(report.decisions, mode).toBe(60);
      expect(report.differing, mode).toEqual([]);
      expect(report.same, mode).toBe(60);
    }
  });

  it('a changed record is felt by every decision after it (the state carries forward), none before', () => {
    // 20 nodes: a farm this small records every candidate's factors, so each later decision shows the change.
    const events = session('unified', 20);
    const recs = inputs(events) as unknown as { data: { nodes: { id: string; facts?: { policy?: string } }[] } }[];
    const before = recs.slice(0, 31).flatMap((r) => r.data.nodes).filter((n) => n.id === 'n00');
    const at = recs[30]!.data;
    let entry = at.nodes.find((n) => n.id === 'n00');
    if (!entry) at.nodes.push((entry = structuredClone(before.at(-1)!)));
    entry.facts = { ...before.filter((n) => n.facts).at(-1)!.facts, policy: 'preferred' };
    const report = replayDecisions(events);
    const decisions = events.filter((e) => e.type === 'schedule.decision').map((e) => e.seq);
    const differing = report.differing.map((d) => d.seq);
    expect(differing.length).toBeGreaterThan(20);
    expect(differing.every((seq) => seq >= decisions[30]!)).toBe(true);
    for (const d of report.differing) expect(d.candidates.find((c) => c.node === 'n00')?.factors).toContain('policy 0.5 → 1');
  });
});
