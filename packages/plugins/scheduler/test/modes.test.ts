import { describe, expect, it } from 'vitest';
import { Compiler, type FesterError } from '@fester/core';
import scheduler, { historyOf, POOL_LABEL, provideInputLocality, schedulerAdvisorOf } from '../src/index.js';
import { compile, harness, node } from './harness.js';

const busy = (h: ReturnType<typeof harness>, nodeId: string, n: number) => {
  for (let i = 0; i < n; i++) h.start(`busy-${nodeId}-${i}`, nodeId);
};

describe('unified (default)', () => {
  it('takes the node with free slots, and honours preferred/avoid policy', () => {
    const h = harness([scheduler()], [node('a'), node('b')], [compile('x'), compile('y')]);
    busy(h, 'a', 3);
    expect(h.place('x')).toBe('b');
    const p = harness([scheduler()], [node('a', { policy: 'avoid' }), node('b'), node('c', { policy: 'preferred' })], [compile('x')]);
    expect(p.place('x')).toBe('c');
    const d = p.decisions().at(-1)!;
    expect(d.mode).toBe('unified');
    expect(d.candidates.find((c) => c.node === 'a')!.lost).toMatch(/^policy 0\.00 vs 1\.00/);
  });

  it('prefers the node history says is fast for this action class', () => {
    const h = harness([scheduler({ history: false })], [node('slow'), node('fast')], [compile('w1'), compile('w2'), compile('w3'), compile('x')]);
    for (const [id, n, ms] of [['w1', 'slow', 3000], ['w2', 'fast', 500], ['w3', 'slow', 2800]] as const) { h.start(id, n); h.finish(id, n, ms); }
    const { all, chosen } = h.decide('x');
    expect(chosen).toBe('fast');
    // Six times slower for this class: patience keeps it off the slow node (a busy fast node would be waited for).
    const slow = all.find((c) => c.node.id === 'slow')!;
    expect(slow.filtered).toMatch(/^patience: ~\d+ ms here, ~\d+ ms on the fastest node/);
    expect(slow.waitMs).toBeGreaterThan(0);
  });

  it('patience: a slower node takes short work and work with slack, not a long action that would end last', () => {
    const specs = [compile('w1'), compile('w2'), compile('short'), compile('long', 'x86_64-linux-gnu', [], { kind: 'link' }), compile('w3'), compile('w4')];
    const h = harness([scheduler({ history: false })], [node('slow'), node('fast')], specs);
    // The slow node runs everything 4× slower; "long" took 20 s on the fast one, "short" 0.3 s.
    for (const [id, n, ms] of [['w1', 'slow', 4000], ['w2', 'fast', 1000], ['w3', 'slow', 3900], ['w4', 'fast', 950], ['long', 'fast', 20000], ['short', 'fast', 300]] as const) { h.start(id, n); h.finish(id, n, ms); }
    h.start('w1', 'fast'); h.start('w2', 'fast'); h.start('w3', 'fast'); h.start('w4', 'fast');
    const short = h.decide('short').all.find((c) => c.node.id === 'slow')!;
    expect(short.filtered).toBeUndefined();
    const long = h.decide('long').all.find((c) => c.node.id === 'slow')!;
    expect(long.filtered).toMatch(/^patience/);
  });
});

describe('cache-first', () => {
  const specs = [compile('x', 'x86_64-linux-gnu', ['d1', 'd2', 'd3', 'd4'])];
  const holds: Record<string, Set<string>> = { a: new Set(), b: new Set(['d1', 'd2', 'd3', 'd4']) };
  const locality = { has: (n: string, ds: readonly string[]) => ds.filter((d) => holds[n]?.has(d)).length / ds.length };

  it('places an action where its inputs already are, even on a busier and slower node; unified does not', () => {
    const setup = (mode: 'cache-first' | 'unified') => {
      const h = harness([scheduler({ mode, history: false })], [node('a'), node('b')], [...specs, compile('w1'), compile('w2')]);
      provideInputLocality(h.compiler, locality);
      // History: b takes twice as long as a for compiles.
      h.start('w1', 'a'); h.finish('w1', 'a', 1000);
      h.start('w2', 'b'); h.finish('w2', 'b', 2000);
      busy(h, 'b', 2);
      return h;
    };
    const cf = setup('cache-first');
    expect(cf.place('x')).toBe('b');
    expect(cf.decisions().at(-1)!.candidates.find((c) => c.node === 'a')!.lost).toMatch(/^locality 0\.00 vs 1\.00/);
    const un = setup('unified');
    expect(un.place('x')).toBe('a');
    expect(un.decisions().at(-1)!.candidates.find((c) => c.node === 'b')!.lost).toMatch(/^speed 0\.50 vs 1\.00/);
  });

  it('without a provider, learns locality from the build: a node holds the inputs of what it ran and what it produced', () => {
    const h = harness([scheduler({ mode: 'cache-first' })], [node('a'), node('b')], [compile('x', 'x86_64-linux-gnu', ['d1', 'd2', 'd3', 'd4']), compile('y', 'x86_64-linux-gnu', ['d1', 'd2', 'd3', 'd9']), compile('z', 'x86_64-linux-gnu', ['o1'])]);
    h.start('x', 'b');
    busy(h, 'b', 1);
    expect(h.place('y')).toBe('b');
    expect(h.decide('y').all.find((c) => c.node.id === 'b')!.factors.locality!.value).toBe(0.75);
    h.build.emit({ type: 'action.finished', action: 'w', node: 'a', exitCode: 0, durationMs: 5, status: 'success', outputs: [{ path: 'out/w.o', digest: 'o1' }] });
    expect(h.place('z')).toBe('a');
    expect(h.events.some((e) => e.type === 'scheduler.warning')).toBe(false);
  });
});

describe('target-isolated', () => {
  // ARM boards carry ARM toolchains only (toolchains given: the core's eligibility checks targets).
  const arm = { targets: ['aarch64-linux-gnu', 'arm-none-eabi'], toolchains: {} };
  const nodes = [node('x1'), node('x2'), node('arm1', { arch: 'arm64', slots: 16, ...arm }), node('arm2', { arch: 'aarch64', labels: { [POOL_LABEL]: 'arm-none-eabi' }, ...arm })];
  const targets = ['x86_64-linux-gnu', 'aarch64-linux-gnu', 'arm-none-eabi'];

  it('never mixes architectures in one target pool, even when the pool is full', () => {
    const specs = targets.flatMap((t) => Array.from({ length: 12 }, (_, i) => compile(`${t}/f${i}`, t)));
    const h = harness([scheduler({ mode: 'target-isolated' })], nodes, specs);
    const archOf = (id: string) => (id.startsWith('x') ? 'x86_64' : 'aarch64');
    const seen = new Map<string, Set<string>>();
    for (const s of specs) {
      const n = h.place(s.id);
      if (!n) continue;
      h.start(s.id, n);
      (seen.get(s.target) ?? seen.set(s.target, new Set()).get(s.target)!).add(archOf(n));
    }
    expect([...seen.get('x86_64-linux-gnu')!]).toEqual(['x86_64']);
    // aarch64 code goes to the native board (more slots than the x86 pool); the board dedicated to arm-none-eabi never takes it.
    expect([...seen.get('aarch64-linux-gnu')!]).toEqual(['aarch64']);
    expect(h.events.some((e) => e.type === 'action.started' && e.node === 'arm2' && e.action.startsWith('aarch64'))).toBe(false);
    expect([...seen.get('arm-none-eabi')!]).toEqual(['aarch64']);
    // A full pool queues on its own node rather than borrowing the idle other architecture.
    expect(h.events.filter((e) => e.type === 'action.started' && e.node === 'arm1').length).toBeGreaterThan(4);
    const d = h.decide('aarch64-linux-gnu/f11');
    expect(d.chosen).toBe('arm1');
    expect(d.all.find((c) => c.node.id === 'x1')!.filtered).toBe('target-isolated: pool of aarch64-linux-gnu is aarch64, node is x86_64');
  });

  it('the pool is the architecture with the most slots for the target: cross compilers outnumbering a native board', () => {
    const h = harness([scheduler({ mode: 'target-isolated' })], [node('x1'), node('x2'), node('arm1', { arch: 'aarch64' })], [compile('a', 'aarch64-linux-gnu'), compile('b', 'aarch64-linux-gnu')]);
    expect(h.place('a')).toMatch(/^x/);
    expect(h.decide('b').all.find((c) => c.node.id === 'arm1')!.filtered).toBe('target-isolated: pool of aarch64-linux-gnu is x86_64, node is aarch64');
  });

  it('a configured pool wins over the native architecture', () => {
    const h = harness([scheduler({ mode: 'target-isolated', pools: { 'aarch64-linux-gnu': 'x86_64' } })], nodes, [compile('a', 'aarch64-linux-gnu')]);
    expect(h.place('a')).toMatch(/^x/);
  });
});

describe('thermal', () => {
  it('prefers headroom to the max temperature over a slightly freer hot node', () => {
    const nodes = [node('hot', { temps: [{ sensor: 'cpu', celsius: 82 }] }), node('cool', { temps: [{ sensor: 'cpu', celsius: 50 }] })];
    const th = harness([scheduler({ mode: 'thermal' })], nodes, [compile('x')]);
    busy(th, 'cool', 1);
    expect(th.place('x')).toBe('cool');
    const hot = th.decisions().at(-1)!.candidates.find((c) => c.node === 'hot')!;
    expect(hot.factors.headroom!.value).toBeCloseTo(0.2, 3);
    expect(hot.lost).toMatch(/^headroom/);
    const un = harness([scheduler({ mode: 'unified' })], nodes, [compile('x')]);
    busy(un, 'cool', 1);
    expect(un.place('x')).toBe('hot');
  });
});

describe('intelligence', () => {
  it('places by earliest predicted finish learned from history', () => {
    const specs = ['w1', 'w2', 'w3', 'w4', 'x'].map((id) => compile(id));
    const h = harness([scheduler({ mode: 'intelligence', history: false })], [node('slow', { slots: 16 }), node('fast', { slots: 2 })], specs);
    for (const [id, n, ms] of [['w1', 'slow', 4000], ['w2', 'fast', 800], ['w3', 'slow', 4200], ['w4', 'fast', 900]] as const) { h.start(id, n); h.finish(id, n, ms); }
    const { all, chosen } = h.decide('x');
    expect(chosen).toBe('fast');
    expect(all.find((c) => c.node.id === 'slow')!.factors.eft!.value).toBeLessThan(0.7);
  });

  it('orders by critical path and proposes a duplicate of a straggler on an idle node', () => {
    let now = 0;
    const chain = [compile('c1'), compile('c2', 'x86_64-linux-gnu', [], { inputs: ['out/c1.o'] }), compile('c3', 'x86_64-linux-gnu', [], { inputs: ['out/c2.o'] }), compile('solo')];
    const h = harness([scheduler({ mode: 'intelligence', history: false, clock: () => now })], [node('a'), node('b')], chain);
    const advisor = schedulerAdvisorOf(h.compiler)!;
    expect(advisor.priority('c1')).toBeGreaterThan(advisor.priority('solo'));
    expect(advisor.priority('c1')).toBeGreaterThan(advisor.priority('c2'));
    // The run queue gets the same order through the core's prioritize hook.
    const prio = (id: string) => h.build.hooks.prioritize.call(0, h.build.graph!.get(id)!);
    expect(prio('c1')).toBe(advisor.priority('c1'));
    expect(prio('c1')).toBeGreaterThan(prio('solo'));
    // Learn that compiles take about a second, then let one run for 20 s on a.
    for (let i = 0; i < 3; i++) { h.start('solo', 'b'); now += 1000; h.finish('solo', 'b', 1000); }
    h.start('c1', 'a');
    now += 2000;
    expect(advisor.stragglers()).toEqual([]);
    now += 18_000;
    const [s] = advisor.stragglers();
    expect(s).toMatchObject({ action: 'c1', node: 'a' });
    const p = advisor.proposeDuplicate(s!, h.compiler.nodes.find((n) => n.id === 'b')!);
    expect(p?.target).toBe('b');
    expect(h.events.find((e) => e.type === 'schedule.speculation')).toMatchObject({ action: 'c1', node: 'b', original: 'a' });
  });

  it('ranks by each action\'s own past runtime: a long translation unit starts before a chain of short ones', () => {
    // A farm that built the project before: its history knows `big` took 40 s, the others 1 s.
    const specs = [compile('big'), compile('a1'), compile('a2', 'x86_64-linux-gnu', [], { inputs: ['out/a1.o'] }), compile('a3', 'x86_64-linux-gnu', [], { inputs: ['out/a2.o'] })];
    const h = harness([scheduler({ mode: 'intelligence', history: false })], [node('a')], specs);
    const history = historyOf(h.compiler)!;
    for (const [id, ms] of [['big', 40_000], ['a1', 1000], ['a2', 1000], ['a3', 1000]] as const) history.observe('a', 'compile/x86_64-linux-gnu', ms, id);
    const advisor = schedulerAdvisorOf(h.compiler)!;
    // By class means alone the chain a1 → a2 → a3 (3 compiles) would outrank one compile.
    expect(advisor.priority('big')).toBeGreaterThan(advisor.priority('a1'));
    expect(advisor.priority('big')).toBeGreaterThan(30_000);
  });
});

describe('bad settings', () => {
  it('an unknown mode is FE1001 with a suggestion, from the option or from festerconfig', () => {
    expect(() => scheduler({ mode: 'thermall' })).toThrow(expect.objectContaining({ code: 'FE1001', message: expect.stringContaining('did you mean "thermal"') }));
    let err: FesterError | undefined;
    try { new Compiler({ config: { plugins: [scheduler()], scheduler: { mode: 'fastest' } } }); } catch (e) { err = e as FesterError; }
    expect(err?.code).toBe('FE1001');
    expect(() => new Compiler({ config: { plugins: [scheduler()], scheduler: { seed: -1 } } })).toThrow(expect.objectContaining({ code: 'FE1002' }));
    expect(() => new Compiler({ config: { plugins: [scheduler()], scheduler: { weights: { free: 'lots' } } } })).toThrow(expect.objectContaining({ code: 'FE1002', message: expect.stringContaining('weights.free') }));
  });
});
