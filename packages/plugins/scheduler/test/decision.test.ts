import { describe, expect, it } from 'vitest';
import scheduler from '../src/index.js';
import { chooseNode, type FesterEvent } from '@fester/core';
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
    // The recorded candidates carry the mode's factors, and their scores are the weighted sums.
    for (const c of d.candidates.filter((x) => !x.filtered)) {
      expect(Object.keys(c.factors).sort()).toEqual(['cpu', 'free', 'policy', 'speed', 'tie']);
      expect(c.score).toBeCloseTo(Object.values(c.factors).reduce((s, f) => s + f.value * f.weight, 0), 3);
    }
  });

  it('gives factor objects on a large farm to exactly the best 8 live candidates, the chosen one first', () => {
    const nodes = Array.from({ length: 30 }, (_, i) => node(`n${i}`, { slots: 2 + (i % 4), load: i % 5, cores: 4, ...(i % 9 === 0 ? { policy: 'drain' as const } : {}) }));
    const h = harness([scheduler({ history: false })], nodes, specs);
    for (const s of specs.slice(0, 12)) {
      const { all, chosen } = h.decide(s.id);
      const live = all.filter((c) => !c.filtered);
      const recorded = live.filter((c) => 'speed' in c.factors);
      expect(recorded).toHaveLength(8);
      expect(recorded.map((c) => c.node.id)).toContain(chosen);
      const floor = Math.min(...recorded.map((c) => c.score));
      for (const c of live) if (!recorded.includes(c)) expect(c.score).toBeLessThanOrEqual(floor);
      h.start(s.id, chosen!);
    }
  });

  it('lists the best candidates and one per filter rule in action.scheduled on a large farm, the rest counted', () => {
    const nodes = Array.from({ length: 100 }, (_, i) => node(`n${i}`, i % 10 === 0 ? { policy: 'drain' } : i % 10 === 1 ? { state: 'down' } : {}));
    const h = harness([scheduler({ history: false })], nodes, [compile('x')]);
    const { node: chosen } = chooseNode(h.build, h.build.graph!.get('x')!);
    const ev = h.events.find((e) => e.type === 'action.scheduled') as Extract<FesterEvent, { type: 'action.scheduled' }>;
    expect(ev.node).toBe(chosen!.id);
    expect(ev.candidates.filter((c) => !c.filtered)).toHaveLength(8);
    expect(ev.candidates.filter((c) => c.filtered).map((c) => c.filtered)).toEqual(['policy drain', 'down']);
    expect(ev.omitted).toBe(100 - 10);
    expect(ev.candidates[0]!.node).toBe(chosen!.id);
  });

  it('journals an action waiting on every node once, not at every poll', () => {
    const h = harness([scheduler({ history: false })], [node('a', { policy: 'drain' })], [compile('x')]);
    h.decide('x');
    h.decide('x');
    expect(h.decisions()).toHaveLength(1);
    expect(h.decisions()[0]!.chosen).toBe('');
  });
});
