import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ActionGraph, Compiler, type ActionSpec, type Candidate, type FesterEvent, type NodeInfo } from '@fester/core';
import thermal, { type ThermalOptions } from '../src/index.js';
import { sysfsTree } from './sysfsTree.js';

const node = (id: string, extra: Partial<NodeInfo> = {}): NodeInfo => ({ id, kind: 'physical', arch: 'x86_64', slots: 4, targets: ['*'], labels: {}, state: 'ready', ...extra });
const spec = (id: string, meta: Record<string, unknown> = {}): ActionSpec => ({ id, kind: 'compile', target: 'host', argv: ['cc'], cwd: '.', inputs: [], outputs: [`${id}.o`], orderOnly: [], env: {}, meta });

/** The thermal plugin on a real Compiler/Build; `decide` runs the real schedule hook. */
function setup(options: ThermalOptions, nodes: NodeInfo[]) {
  let now = 0;
  const compiler = new Compiler({ config: { plugins: [thermal({ pollMs: 0, clock: () => now, ...options })] }, cacheDir: mkdtempSync(join(tmpdir(), 'fester-th-')) });
  const events: FesterEvent[] = [];
  compiler.hooks.event.tap('test', (e) => { events.push(e); });
  compiler.replaceNodes(nodes);
  const build = compiler.createBuild({ file: '<test>', journal: false });
  build.graph = new ActionGraph([spec('x'), spec('lto', { parallel: 'high' })]);
  return {
    compiler, build, events,
    advance(ms: number) { now += ms; },
    decide(id = 'x'): Record<string, Candidate> {
      const all = build.hooks.schedule.call(compiler.nodes.map((n) => ({ node: n, score: 0, factors: {} })), build.graph!.get(id)!);
      return Object.fromEntries(all.map((c) => [c.node.id, c]));
    },
    of: (type: string) => events.filter((e) => e.type === type),
  };
}

describe('thermal safety on the schedule hook', () => {
  it('a node at 90 °C gets no dispatch; after cooling below the hysteresis it does; both journaled with the readings', () => {
    const sys = sysfsTree().zone(0, 'x86_pkg_temp', 90000);
    const t = setup({ sysfsRoot: sys.root }, [node('local'), node('b', { temps: [{ sensor: 'cpu', celsius: 50 }] })]);
    let c = t.decide();
    expect(c.local!.filtered).toBe('thermal: 90.0 °C (thermal_zone0:x86_pkg_temp) ≥ max 85 °C; waits for < 80 °C');
    expect(c.local!.waitMs).toBeGreaterThan(0);
    expect(c.b!.filtered).toBeUndefined();
    expect(t.of('node.throttled')).toEqual([expect.objectContaining({ node: 'local', rule: 'max', celsius: 90, sensor: 'thermal_zone0:x86_pkg_temp', maxCelsius: 85, releaseCelsius: 80 })]);
    // The throttle is caused by the reading, journaled on its own.
    const hot = t.of('node.temperature');
    expect(hot).toEqual([expect.objectContaining({ node: 'local', celsius: 90, state: 'hot', previous: 'ok' })]);
    expect(t.of('node.throttled')[0]!.causes).toEqual([hot[0]!.seq]);

    // Below the max but above max − hysteresis: still throttled (no flapping at the limit).
    sys.zone(0, 'x86_pkg_temp', 82000);
    t.advance(2000);
    expect(t.decide().local!.filtered).toMatch(/^thermal: 82\.0 °C/);
    expect(t.of('node.unthrottled')).toEqual([]);

    sys.zone(0, 'x86_pkg_temp', 70000);
    t.advance(2000);
    c = t.decide();
    expect(c.local!.filtered).toBeUndefined();
    expect(t.of('node.unthrottled')).toEqual([expect.objectContaining({ node: 'local', rule: 'max', celsius: 70, releaseCelsius: 80 })]);
    const cool = t.of('node.temperature').at(-1)!;
    expect(cool).toMatchObject({ celsius: 70, state: 'ok', previous: 'hot' });
    expect(t.of('node.unthrottled')[0]!.causes).toEqual([cool.seq]);
  });

  it('near the max a node gets fewer slots', () => {
    const t = setup({ nearCelsius: 5, nearSlotsFactor: 0.5 }, [node('b', { slots: 4, running: 2, temps: [{ sensor: 'cpu', celsius: 82 }] }), node('c', { slots: 4, running: 1, temps: [{ sensor: 'cpu', celsius: 82 }] })]);
    const c = t.decide();
    expect(c.b!.filtered).toBe('thermal: near max (82.0 °C, max 85 °C): 2 of 2 reduced slots busy');
    expect(c.c!.filtered).toBeUndefined();
    expect(t.of('node.throttled').map((e) => [e.type === 'node.throttled' && e.rule, e.type === 'node.throttled' && e.slots])).toEqual([['near', 2], ['near', 2]]);
  });

  it('per-node maxCelsius: a board with a lower limit is throttled where others are not', () => {
    const temps = [{ sensor: 'soc', celsius: 72 }];
    const t = setup({ nodes: { pi: { maxCelsius: 70 } } }, [node('pi', { temps }), node('server', { temps })]);
    const c = t.decide();
    expect(c.pi!.filtered).toMatch(/≥ max 70 °C/);
    expect(c.server!.filtered).toBeUndefined();
  });

  it('sustained load above the cores for the window disables parallel: high actions on that node only', () => {
    const loaded = { cores: 4, load: 6 };
    const t = setup({ sustainedLoad: { window: '10s' } }, [node('busy', loaded), node('idle', { cores: 4, load: 0.5 })]);
    expect(t.decide('lto').busy!.filtered).toBeUndefined();
    t.advance(11_000);
    const c = t.decide('lto');
    expect(c.busy!.filtered).toBe('thermal: sustained load above 4 cores; no parallel: high actions here');
    expect(c.idle!.filtered).toBeUndefined();
    expect(t.decide('x').busy!.filtered).toBeUndefined();
    expect(t.of('node.throttled')).toEqual([expect.objectContaining({ node: 'busy', rule: 'sustained-load', load: 6, cores: 4, windowMs: 10_000 })]);
    // Load falls below the release threshold: unthrottled.
    t.compiler.replaceNodes([node('busy', { cores: 4, load: 2 }), node('idle', { cores: 4, load: 0.5 })]);
    t.advance(1000);
    expect(t.decide('lto').busy!.filtered).toBeUndefined();
    expect(t.of('node.unthrottled')).toEqual([expect.objectContaining({ node: 'busy', rule: 'sustained-load', load: 2 })]);
  });

  it('LTO links count as parallel: high without being marked', () => {
    const t = setup({ sustainedLoad: { window: 0 } }, [node('busy', { cores: 2, load: 5 })]);
    t.build.graph = new ActionGraph([{ ...spec('app'), kind: 'link', argv: ['cc', '-flto=auto', '-o', 'app'] }]);
    expect(t.decide('app').busy!.filtered).toMatch(/sustained load/);
  });
});

describe('bad thermal input: coded warnings, the node counts as not hot', () => {
  it('garbage readings in sysfs (FE1011) and no usable sensor (FE1012), once each', () => {
    const sys = sysfsTree().zone(0, 'soc', 'garbage');
    const t = setup({ sysfsRoot: sys.root }, [node('local')]);
    expect(t.decide().local!.filtered).toBeUndefined();
    t.advance(1000);
    t.decide();
    expect(t.of('thermal.warning').map((e) => e.type === 'thermal.warning' && e.code)).toEqual(['FE1011', 'FE1012']);
    expect(t.of('thermal.warning')[0]).toMatchObject({ node: 'local', raw: 'garbage', path: `${sys.root}/class/thermal/thermal_zone0/temp` });
  });

  it('a sysfs root that does not exist (FE1010)', () => {
    const t = setup({ sysfsRoot: '/nonexistent/sys' }, [node('local')]);
    expect(t.decide().local!.filtered).toBeUndefined();
    expect(t.of('thermal.warning')).toEqual([expect.objectContaining({ code: 'FE1010', path: '/nonexistent/sys' })]);
  });

  it('an agent reporting a non-temperature (FE1011) is not hot; its good sensors still count', () => {
    const t = setup({}, [node('a', { temps: [{ sensor: 'bad', celsius: 1e6 }, { sensor: 'ok', celsius: 91 }] }), node('b', { temps: [{ sensor: 'bad', celsius: Number.NaN }] })]);
    const c = t.decide();
    expect(c.a!.filtered).toMatch(/^thermal: 91\.0 °C \(ok\)/);
    expect(c.b!.filtered).toBeUndefined();
    expect(t.of('thermal.warning').map((e) => e.type === 'thermal.warning' && [e.node, e.code])).toEqual([['a', 'FE1011'], ['b', 'FE1011'], ['b', 'FE1012']]);
  });

  it('bad options are FE0204 naming the option', () => {
    expect(() => thermal({ maxCelsius: 500 })).toThrow(expect.objectContaining({ code: 'FE0204' }));
    expect(() => thermal({ sustainedLoad: { window: 'soon' } })).toThrow(expect.objectContaining({ message: expect.stringContaining('sustainedLoad.window') }));
  });
});
