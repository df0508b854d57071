import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import scheduler, { History, historyPath, predictionError } from '../src/index.js';
import { compile, harness, node } from './harness.js';

describe('History', () => {
  it('keeps an exponentially weighted mean and variance per node × class', () => {
    const h = new History(undefined, 0.5);
    h.observe('a', 'compile/host', 100);
    h.observe('a', 'compile/host', 200);
    // Early samples are a plain average (1/n beats a small alpha); later ones weigh alpha.
    expect(h.estimate('a', 'compile/host')).toMatchObject({ ms: 150, exact: true });
    h.observe('a', 'compile/host', 400);
    expect(h.estimate('a', 'compile/host')!.ms).toBeCloseTo(275, 6);
    expect(h.stats('a', 'compile/host')!.variance).toBeGreaterThan(0);
  });

  it('estimates an unseen node × class from the farm mean scaled by the node’s learned speed', () => {
    const h = new History();
    h.observe('a', 'compile/host', 1000);
    h.observe('b', 'compile/host', 500);
    h.observe('a', 'compile/host', 1000);
    h.observe('b', 'link/host', 2000);
    expect(h.speed('a')!).toBeLessThan(1);
    expect(h.speed('b')!).toBeGreaterThan(1);
    const est = h.estimate('a', 'link/host')!;
    expect(est.exact).toBe(false);
    expect(est.ms).toBeGreaterThan(2000);
    expect(h.estimate('a', 'archive/host')).toBeUndefined();
  });

  it('scores each prediction before learning from the run: the prediction error', () => {
    const h = new History();
    expect(h.observe('a', 'c', 100)).toEqual({});
    expect(h.observe('a', 'c', 100)).toEqual({ predicted: 100, relError: 0 });
    const r = h.observe('a', 'c', 200);
    expect(r).toEqual({ predicted: 100, relError: 0.5 });
    expect(h.predictionErrors().a).toEqual({ n: 2, mape: 0.25 });
  });
});

describe('history persistence through the plugin', () => {
  const build = (cacheDir: string) => harness([scheduler()], [node('a'), node('b')], [compile('x'), compile('y'), compile('z')], cacheDir);

  it('is saved after a build and predicts the next one; prediction error is readable by other processes', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'fester-hist-'));
    const first = build(cacheDir);
    first.build.emit({ type: 'action.queued', action: 'x', kind: 'compile', target: 'x86_64-linux-gnu' });
    for (const [id, n, ms] of [['x', 'a', 1000], ['y', 'a', 1200], ['z', 'b', 300]] as const) { first.place(id); first.start(id, n); first.finish(id, n, ms); }
    await first.compiler.hooks.afterBuild.promise(first.build);
    const file = historyPath(cacheDir);
    expect(existsSync(file)).toBe(true);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.nodes.a.classes['compile/x86_64-linux-gnu'].n).toBe(2);

    // A new process: the loaded history makes b (300 ms) the fast node before anything ran.
    const second = build(cacheDir);
    const { all, chosen } = second.decide('x');
    expect(chosen).toBe('b');
    expect(all.find((c) => c.node.id === 'a')!.factors.speed!.value).toBeLessThan(0.5);
    expect(predictionError(cacheDir)).toEqual({ a: { samples: 1, mape: expect.closeTo(1 / 6, 3) }, b: { samples: 1, mape: expect.any(Number) } });
  });

  it('a damaged history file is moved aside with a coded warning (FE1003) and the build goes on', () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'fester-hist-'));
    mkdirSync(join(cacheDir, 'scheduler'));
    writeFileSync(historyPath(cacheDir), 'garbage{');
    const h = build(cacheDir);
    h.build.emit({ type: 'action.queued', action: 'x', kind: 'compile', target: 'x86_64-linux-gnu' });
    expect(h.place('x')).toBeDefined();
    const w = h.events.find((e) => e.type === 'scheduler.warning');
    expect(w).toMatchObject({ code: 'FE1003', file: historyPath(cacheDir) });
    expect(existsSync(`${historyPath(cacheDir)}.bad`)).toBe(true);
    expect(predictionError(cacheDir)).toEqual({});
  });
});
