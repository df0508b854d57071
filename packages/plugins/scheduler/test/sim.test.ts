import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import thermal from '@fester/plugin-thermal';
import { generateFarm, generateTrace, loadFarm, loadTrace, lowerBound, parseFarm, parseTrace, simulate, traceFromJournal, type FarmInput, type SimResult, type TraceInput } from '../src/sim/index.js';

const noTiming = ({ timing: _t, ...r }: SimResult) => r;
const tmp = mkdtempSync(join(tmpdir(), 'fester-sim-'));
const write = (name: string, text: string) => { const f = join(tmp, name); writeFileSync(f, text); return f; };

/** Two hot ARM boards and one cool x86 node building aarch64: an unaware scheduler cooks the boards. */
const hotFarm: FarmInput = { version: 1, name: 'hot', nodes: [
  { id: 'x86', arch: 'x86_64', slots: 4, speed: 1, targets: ['aarch64-linux-gnu'], thermal: { ambientCelsius: 30, risePerLoad: 30, tauSeconds: 20 } },
  { id: 'arm', count: 2, arch: 'aarch64', slots: 4, speed: 1.2, targets: ['aarch64-linux-gnu'], thermal: { ambientCelsius: 45, risePerLoad: 60, tauSeconds: 20, throttleFactor: 0.4 } },
] };

describe('simulator', () => {
  const trace = parseTrace(generateTrace('mixed', { actions: 400, seed: 3 }));
  const farm = parseFarm({ ...generateFarm({ nodes: 10, seed: 3 }) });

  it('is deterministic for a seed, and the seed matters where the farm has jitter', () => {
    for (const mode of ['unified', 'intelligence', 'round-robin'] as const) {
      expect(noTiming(simulate({ trace, farm, mode, seed: 5 }))).toEqual(noTiming(simulate({ trace, farm, mode, seed: 5 })));
    }
    expect(simulate({ trace, farm, mode: 'unified', seed: 5 }).makespanMs).not.toBe(simulate({ trace, farm, mode: 'unified', seed: 6 }).makespanMs);
  });

  it('never beats the lower bound, and reports utilisation and transfers', () => {
    for (const mode of ['unified', 'thermal', 'cache-first', 'target-isolated', 'intelligence', 'round-robin', 'fastest-free'] as const) {
      const r = simulate({ trace, farm, mode, seed: 1 });
      expect(r.makespanMs, mode).toBeGreaterThanOrEqual(r.lowerBoundMs);
      expect(r.utilisation, mode).toBeGreaterThan(0);
      expect(r.utilisation, mode).toBeLessThanOrEqual(1);
      expect(r.transferBytes, mode).toBe(r.inputBytes + r.outputBytes);
      expect(r.dispatches, mode).toBeGreaterThanOrEqual(trace.actions.length);
    }
  });

  it('lower bound = max(critical path on the fastest node, work / capacity)', () => {
    const t = parseTrace({ version: 1, actions: [
      { id: 'a', target: 'host', durationMs: 1000 }, { id: 'b', target: 'host', durationMs: 1000, deps: ['a'] }, { id: 'c', target: 'host', durationMs: 1000 },
    ] });
    const f = (slots: number) => parseFarm({ version: 1, nodes: [{ id: 'n', arch: 'x86_64', slots, speed: 2, targets: ['host'] }] });
    expect(lowerBound(t, f(1))).toEqual({ ms: 1500, criticalPathMs: 1000, workOverCapacityMs: 1500 });
    expect(lowerBound(t, f(4)).ms).toBe(1000);
    const r = simulate({ trace: t, farm: f(4), mode: 'unified' });
    expect(r.makespanMs).toBe(1000);
    expect(r.ratio).toBe(1);
  });

  it('baselines: distcc-like round robin spreads over every node, icecream-like fills the fastest first', () => {
    const t = parseTrace({ version: 1, actions: Array.from({ length: 6 }, (_, i) => ({ id: `f${i}`, target: 'host', durationMs: 1000 })) });
    const f = parseFarm({ version: 1, nodes: [{ id: 'slow', arch: 'x86_64', slots: 4, speed: 0.5, targets: ['host'] }, { id: 'fast', arch: 'x86_64', slots: 4, speed: 2, targets: ['host'] }, { id: 'mid', arch: 'x86_64', slots: 4, speed: 1, targets: ['host'] }] });
    const rr = simulate({ trace: t, farm: f, mode: 'round-robin' });
    expect(rr.perNode.map((n) => n.dispatches)).toEqual([2, 2, 2]);
    const ff = simulate({ trace: t, farm: f, mode: 'fastest-free' });
    expect(ff.perNode.map((n) => n.dispatches)).toEqual([0, 4, 2]);
    expect(ff.makespanMs).toBeLessThan(rr.makespanMs);
  });

  it('thermal mode with the thermal plugin dispatches nothing to a node above its max; unaware schedulers do', () => {
    const t = parseTrace(generateTrace('wide', { actions: 400, seed: 1, targets: ['aarch64-linux-gnu'] }));
    const f = parseFarm(hotFarm);
    const unaware = simulate({ trace: t, farm: f, mode: 'fastest-free' });
    expect(unaware.throttledMs).toBeGreaterThan(10_000);
    expect(unaware.dispatchesAboveThreshold).toBeGreaterThan(0);
    const safe = simulate({ trace: t, farm: f, mode: 'thermal', plugins: ({ clock }) => [thermal({ clock })] });
    expect(safe.dispatchesAboveThreshold).toBe(0);
    expect(safe.throttledMs).toBeLessThan(unaware.throttledMs / 2);
    expect(safe.throttleEvents).toBeGreaterThan(0);
  });

  it('thermal safety holds over every generated trace shape: 0 dispatches to a node at or above its max', () => {
    const f = parseFarm(hotFarm);
    let unguarded = 0;
    for (const kind of ['wide', 'deep', 'mixed']) {
      const t = parseTrace(generateTrace(kind, { actions: 200, seed: 2, scale: 3, targets: ['aarch64-linux-gnu'] }));
      // The same runs without the plugin do reach the limit: the farm is hot enough to matter.
      unguarded += simulate({ trace: t, farm: f, mode: 'fastest-free', seed: 2 }).dispatchesAboveThreshold;
      for (const mode of ['thermal', 'unified', 'intelligence'] as const) {
        const r = simulate({ trace: t, farm: f, mode, seed: 2, plugins: ({ clock }) => [thermal({ clock })] });
        expect(r.dispatchesAboveThreshold, `${kind} ${mode}`).toBe(0);
      }
    }
    expect(unguarded).toBeGreaterThan(0);
  });

  it('with a farm history (warm), critical path first and patience beat a first build and the icecream-like baseline', () => {
    // Heavy, uneven compiles and long LTO links on fast, medium and 3×-slower nodes: what goes where, and when, sets the makespan.
    const heavy = parseTrace(generateTrace('mixed', { actions: 1500, seed: 4, scale: 4 }));
    const mixed = parseFarm({ version: 1, name: 'speeds', nodes: [
      { id: 'fast', count: 3, arch: 'x86_64', slots: 8, speed: 1.6, targets: ['x86_64-linux-gnu', 'aarch64-linux-gnu'] },
      { id: 'mid', count: 3, arch: 'x86_64', slots: 4, speed: 1, targets: ['x86_64-linux-gnu', 'aarch64-linux-gnu'] },
      { id: 'slow', count: 4, arch: 'x86_64', slots: 4, speed: 0.5, targets: ['x86_64-linux-gnu', 'aarch64-linux-gnu'] },
    ] });
    const cold = simulate({ trace: heavy, farm: mixed, mode: 'unified', seed: 1 });
    const warm = simulate({ trace: heavy, farm: mixed, mode: 'unified', seed: 1, warm: 1 });
    const ice = simulate({ trace: heavy, farm: mixed, mode: 'fastest-free', seed: 1, warm: 1 });
    expect(warm.warm).toBe(1);
    expect(warm.makespanMs).toBeLessThan(cold.makespanMs);
    expect(warm.makespanMs).toBeLessThan(ice.makespanMs * 0.9);
    // Patience: no LTO link (parallel: high) ran on a node 3× slower than the fastest.
    const slowLinks: string[] = [];
    simulate({ trace: heavy, farm: mixed, mode: 'unified', seed: 1, warm: 1, onEvent: (ev) => { if (ev.type === 'action.started' && ev.node.startsWith('slow') && heavy.actions.find((a) => a.id === ev.action)?.parallel === 'high') slowLinks.push(ev.action); } });
    expect(slowLinks).toEqual([]);
  });

  it('intelligence mode duplicates stragglers on idle nodes', () => {
    // One link runs on a node that turns out 8× slower than predicted (huge jitter on it).
    const t = parseTrace({ version: 1, actions: [
      ...Array.from({ length: 12 }, (_, i) => ({ id: `c${i}`, kind: 'compile' as const, target: 'host', durationMs: 1000 })),
      { id: 'late', kind: 'compile', target: 'host', durationMs: 1000, deps: ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10', 'c11'] },
    ] });
    const f = parseFarm({ version: 1, nodes: [{ id: 'a', arch: 'x86_64', slots: 6, targets: ['host'] }, { id: 'b', arch: 'x86_64', slots: 6, targets: ['host'], jitter: 2 }] });
    const runs = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => simulate({ trace: t, farm: f, mode: 'intelligence', seed }));
    expect(runs.some((r) => r.speculations > 0 && r.speculationWins > 0)).toBe(true);
  });

  it('dropouts: lost actions are re-queued and the run still finishes', () => {
    const f = parseFarm({ version: 1, nodes: [{ id: 'a', arch: 'x86_64', slots: 4, targets: ['host'], dropouts: [{ atMs: 1500, forMs: 5000 }] }, { id: 'b', arch: 'x86_64', slots: 2, targets: ['host'] }] });
    const t = parseTrace({ version: 1, actions: Array.from({ length: 20 }, (_, i) => ({ id: `f${i}`, target: 'host', durationMs: 1000 })) });
    const r = simulate({ trace: t, farm: f, mode: 'unified' });
    expect(r.requeued).toBeGreaterThan(0);
    expect(r.makespanMs).toBeGreaterThan(lowerBound(t, f).ms);
  });
});

describe('trace and farm files: malformed input is a coded error naming the file, line and field', () => {
  it('a field of the wrong type (FE1020 at its line)', () => {
    const f = write('t1.json', '{\n  "version": 1,\n  "actions": [\n    { "id": "a", "target": "host", "durationMs": 5 },\n    { "id": "b", "target": "host", "durationMs": "slow" }\n  ]\n}\n');
    expect(() => loadTrace(f)).toThrow(expect.objectContaining({ code: 'FE1020', location: { file: f, line: 5, col: 50 }, message: expect.stringMatching(/^actions\.1\.durationMs: /) }));
  });

  it('unknown dependencies, duplicates, cycles, unknown keys', () => {
    const bad = (actions: TraceInput['actions']) => () => parseTrace({ version: 1, actions }, 'x.json');
    expect(bad([{ id: 'a', target: 'h', durationMs: 1, deps: ['nope'] }])).toThrow('actions.0.deps.0: unknown action "nope"');
    expect(bad([{ id: 'a', target: 'h', durationMs: 1 }, { id: 'a', target: 'h', durationMs: 1 }])).toThrow('actions.1.id: duplicate action id "a"');
    expect(bad([{ id: 'a', target: 'h', durationMs: 1, deps: ['b'] }, { id: 'b', target: 'h', durationMs: 1, deps: ['a'] }])).toThrow(/dependency cycle/);
    expect(() => parseTrace({ version: 1, actions: [{ id: 'a', target: 'h', durationMs: 1, duration: 3 }] })).toThrow('actions.0.duration: unknown key "duration"');
  });

  it('not JSON (FE1020 with the line of the syntax error), and a farm missing a field (FE1021)', () => {
    const t = write('t2.json', '{\n  "version": 1,\n  "actions": [,]\n}\n');
    expect(() => loadTrace(t)).toThrow(expect.objectContaining({ code: 'FE1020', location: expect.objectContaining({ file: t, line: 3 }) }));
    const f = write('f1.json', '{ "version": 1,\n  "nodes": [\n    { "id": "a", "arch": "x86_64", "targets": ["host"] }\n  ]\n}\n');
    expect(() => loadFarm(f)).toThrow(expect.objectContaining({ code: 'FE1021', location: { file: f, line: 3, col: 5 }, message: expect.stringMatching(/^nodes\.0\.slots: /) }));
  });

  it('a trace target no node builds is FE1022', () => {
    const t = parseTrace({ version: 1, actions: [{ id: 'a', target: 'riscv64-linux-gnu', durationMs: 1 }] });
    expect(() => simulate({ trace: t, farm: parseFarm(hotFarm), mode: 'unified' })).toThrow(expect.objectContaining({ code: 'FE1022' }));
  });

  it('generators: unknown kind is FE1023; generated traces and farms are valid and reproducible', () => {
    expect(() => generateTrace('tall')).toThrow(expect.objectContaining({ code: 'FE1023' }));
    for (const kind of ['wide', 'deep', 'mixed']) {
      const a = generateTrace(kind, { actions: 300, seed: 9 });
      expect(a).toEqual(generateTrace(kind, { actions: 300, seed: 9 }));
      expect(parseTrace(a).actions.length).toBeGreaterThan(250);
    }
    expect(parseFarm(generateFarm({ nodes: 50 })).nodes).toHaveLength(50);
  });
});

describe('trace export from a journal', () => {
  it('keeps executed actions with their runtimes and recovers dependencies from command lines', () => {
    const ev = (seq: number, p: object) => ({ seq, t: seq, session: 's', build: 's.1', ...p });
    const events = [
      ev(1, { type: 'action.queued', action: 'host/obj/a.o', kind: 'compile', target: 'host' }),
      ev(2, { type: 'action.queued', action: 'host/app', kind: 'link', target: 'host' }),
      ev(3, { type: 'action.started', action: 'host/obj/a.o', node: 'local', argv: ['cc', '-c', 'a.c', '-o', 'build/host/obj/a.o'], cwd: '.' }),
      ev(4, { type: 'action.finished', action: 'host/obj/a.o', node: 'local', exitCode: 0, durationMs: 120, status: 'success', outputs: [{ path: 'build/host/obj/a.o', digest: 'x' }] }),
      ev(5, { type: 'cache.stored', action: 'host/obj/a.o', bytes: 4000 }),
      ev(6, { type: 'action.started', action: 'host/app', node: 'local', argv: ['cc', 'build/host/obj/a.o', '-o', 'build/host/app'], cwd: '.' }),
      ev(7, { type: 'action.finished', action: 'host/app', node: 'local', exitCode: 0, durationMs: 80, status: 'success', outputs: [{ path: 'build/host/app', digest: 'y' }] }),
    ];
    const t = parseTrace(traceFromJournal(events as never));
    expect(t.actions).toEqual([
      expect.objectContaining({ id: 'host/obj/a.o', kind: 'compile', durationMs: 120, deps: [], outputBytes: 4000 }),
      expect.objectContaining({ id: 'host/app', kind: 'link', durationMs: 80, deps: ['host/obj/a.o'] }),
    ]);
    expect(() => traceFromJournal(events.slice(0, 2) as never)).toThrow(expect.objectContaining({ code: 'FE1024' }));
  });
});
