import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fester, fixture, lastJournal } from '../../../../test/helpers.js';
import { ready, startAgent, startCoordinator, stopAll, TOKEN, waitNodes } from '../../../../test/farm.js';

const env = { FESTER_FARM_TOKEN: TOKEN };
type Decision = { action: string; mode: string; chosen: string; candidates: { node: string; filtered?: string; factors: Record<string, { value: number }> }[] };

describe('scheduler modes on a farm of real agents', () => {
  afterAll(stopAll);

  it('cache-first places actions where their inputs are; intelligence by earliest predicted finish; target-isolated keeps a dedicated node to its pool', async () => {
    const hello = fixture('hello');
    const portable = fixture('portable');
    const co = await startCoordinator(hello.base, { host: '127.0.0.62' });
    startAgent(hello.base, co.url, 'c1');
    startAgent(hello.base, co.url, 'c2');
    startAgent(hello.base, co.url, 'c3', { args: ['--label', 'fester.pool=aarch64-linux-gnu'] });
    await waitNodes(co.url, ready(['c1', 'c2', 'c3']), 90_000);

    // cache-first: no node is chosen over one that holds clearly more of the action's inputs.
    const r = await fester(['build', '--farm', co.url, '--mode', 'cache-first'], { cwd: hello.dir, cache: hello.cache, env });
    expect(r.exitCode, r.stderr).toBe(0);
    const events = await lastJournal(hello.dir);
    const decisions = events.filter((e) => e.type === 'schedule.decision') as unknown as Decision[];
    expect(decisions.length).toBe(8);
    let decidedByLocality = 0;
    for (const d of decisions) {
      expect(d.mode).toBe('cache-first');
      const live = d.candidates.filter((c) => !c.filtered);
      const loc = (n: string) => live.find((c) => c.node === n)?.factors.locality?.value ?? 0;
      const best = Math.max(...live.map((c) => loc(c.node)));
      // Locality weighs 2, free slots 0.6: only a gap of under 0.3 may lose to an idle node.
      expect(best - loc(d.chosen), d.action).toBeLessThanOrEqual(0.3);
      if (best > 0 && live.some((c) => loc(c.node) < best - 0.3)) decidedByLocality++;
    }
    expect(decidedByLocality).toBeGreaterThan(0);
    // fester explain prints the decision: chosen node, every candidate's factors, why the others lost.
    const x = await fester(['explain', 'libgreet.a'], { cwd: hello.dir, cache: hello.cache });
    expect(x.exitCode, x.stderr).toBe(0);
    expect(x.stdout).toMatch(/placed: {2}on c\d by the cache-first scheduler \(seed 0, class archive\/host\)/);
    expect(x.stdout).toMatch(/score \d\.\d{3} .*locality \d\.\d\d×2 .*(chosen|lost: )/);

    // intelligence: placed by earliest predicted finish (eft) from its online model (a fresh cache: everything runs).
    expect((await fester(['clean'], { cwd: hello.dir, cache: hello.cache })).exitCode).toBe(0);
    const i = await fester(['build', '--farm', co.url, '--mode', 'intelligence'], { cwd: hello.dir, cache: join(hello.base, 'cache-i'), env });
    expect(i.exitCode, i.stderr).toBe(0);
    const ie = (await lastJournal(hello.dir)).filter((e) => e.type === 'schedule.decision') as unknown as Decision[];
    expect(ie.length).toBeGreaterThan(0);
    for (const d of ie) {
      expect(d.mode).toBe('intelligence');
      const live = d.candidates.filter((c) => !c.filtered);
      const eft = (n: string) => live.find((c) => c.node === n)!.factors.eft!.value;
      // eft weighs 2; free, locality and headroom together at most 0.7: the chosen node is within 0.35 of the earliest finish.
      expect(Math.max(...live.map((c) => eft(c.node))) - eft(d.chosen), d.action).toBeLessThanOrEqual(0.35);
    }

    // target-isolated: c3 serves only the aarch64 pool; every other target's actions stay off it.
    const p = await fester(['build', '--farm', co.url, '--mode', 'target-isolated'], { cwd: portable.dir, cache: portable.cache, env });
    expect(p.exitCode, p.stderr).toBe(0);
    const pe = await lastJournal(portable.dir);
    const started = pe.filter((e) => e.type === 'action.started') as unknown as { action: string; node: string }[];
    expect(started.length).toBeGreaterThan(12);
    expect(started.filter((s) => s.node === 'c3').every((s) => s.action.startsWith('aarch64-linux-gnu/'))).toBe(true);
    const x86 = (pe.filter((e) => e.type === 'schedule.decision') as unknown as Decision[]).find((d) => d.action.startsWith('x86_64-linux-gnu/'))!;
    expect(x86.candidates.find((c) => c.node === 'c3')!.filtered).toBe('target-isolated: node is dedicated to pool aarch64-linux-gnu');
    hello.cleanup(); portable.cleanup();
  });
});
