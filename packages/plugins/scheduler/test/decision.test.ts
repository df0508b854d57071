import { describe, expect, it } from 'vitest';
import scheduler from '../src/index.js';
import { compile, harness, node } from './harness.js';

const specs = Array.from({ length: 40 }, (_, i) => compile(`f${i}`));
const equalNodes = () => ['n1', 'n2', 'n3', 'n4'].map((id) => node(id, { slots: 64 }));

/** Place every action in order on a fresh farm of equal nodes; each placement starts its action. */
function run(seed: number): string[] {
  const h = harness([scheduler({ seed, history: false })], equalNodes(), specs);
  return specs.map((s) => { const n = h.place(s.id)!; h.start(s.id, n); return n; });
}

describe('schedule.decision', () => {
  it('records every candidate with factor values and weights, the chosen node and why the others lost or were filtered', () => {
    const h = harness([scheduler({ history: false })], [node('a'), node('b', { policy: 'drain' }), node('c')], [compile('x')]);
    h.start('other', 'c');
    expect(h.place('x')).toBe('a');
    const d = h.decisions()[0]!;
    expect(d).toMatchObject({ action: 'x', mode: 'unified', seed: 0, chosen: 'a', class: 'compile/x86_64-linux-gnu' });
    const by = Object.fromEntries(d.candidates.map((c) => [c.node, c]));
    expect(by.a!.factors.free).toEqual({ value: 1, weight: 0.25 });
    expect(by.a!.lost).toBeUndefined();
    expect(by.b!.filtered).toBe('policy drain');
    expect(by.c!.factors.free).toEqual({ value: 0.75, weight: 0.25 });
    expect(by.c!.lost).toBe('free 0.75 vs 1.00 (×0.25)');
    // The score is the weighted sum of the factors (the tie-break included).
    const sum = Object.values(by.a!.factors).reduce((s, f) => s + f.value * f.weight, 0);
    expect(by.a!.score).toBeCloseTo(sum, 3);
  });

  it('is deterministic for a seed: equal nodes are ordered by the seeded tie-break, not by list order', () => {
    const one = run(7);
    expect(run(7)).toEqual(one);
    const other = run(8);
    expect(other).not.toEqual(one);
    // Spread: with equal nodes and free slots, the tie-break does not pile everything on n1.
    expect(new Set(one).size).toBe(4);
  });

  it('keeps a 1,000-node decision small: best candidates, one example per filter rule, the rest counted', () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => node(`n${i}`, i % 10 === 0 ? { policy: 'drain' } : {}));
    const h = harness([scheduler({ history: false })], nodes, [compile('x')]);
    const chosen = h.place('x');
    const d = h.decisions()[0]!;
    expect(d.chosen).toBe(chosen);
    expect(d.candidates.length).toBeLessThanOrEqual(10);
    expect(d.candidates.some((c) => c.node === chosen)).toBe(true);
    expect(d.omitted).toEqual({ lost: 900 - 8, filtered: { 'policy drain': 99 } });
  });

  it('journals an action waiting on every node once, not at every poll', () => {
    const h = harness([scheduler({ history: false })], [node('a', { policy: 'drain' })], [compile('x')]);
    h.decide('x');
    h.decide('x');
    expect(h.decisions()).toHaveLength(1);
    expect(h.decisions()[0]!.chosen).toBe('');
  });
});
