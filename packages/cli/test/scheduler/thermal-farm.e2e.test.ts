import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fester, festerSpawn, fixture, lastJournal } from '../../../../test/helpers.js';
import { ready, startAgent, startCoordinator, stopAll, TOKEN, waitNodes } from '../../../../test/farm.js';

const env = { FESTER_FARM_TOKEN: TOKEN };

/** A generated sysfs root with one thermal zone; `set` rewrites it as a heating or cooling CPU would. */
function sysfs(dir: string, celsius: number) {
  const zone = join(dir, 'class', 'thermal', 'thermal_zone0');
  mkdirSync(zone, { recursive: true });
  writeFileSync(join(zone, 'type'), 'x86_pkg_temp\n');
  const set = (c: number) => writeFileSync(join(zone, 'temp'), `${Math.round(c * 1000)}\n`);
  set(celsius);
  return { root: dir, set };
}

type Ev = Awaited<ReturnType<typeof lastJournal>>[number];
const startedOn = (events: Ev[]) => events.filter((e) => e.type === 'action.started').map((e) => (e as { node: string }).node);

describe('thermal safety on a farm of real agents', () => {
  afterAll(stopAll);

  it('a node at 90 °C gets no dispatch; once it cools below the hysteresis it gets work again; both journaled with the readings', async () => {
    const f = fixture('hello');
    const hot = sysfs(join(f.base, 'sys-hot'), 90);
    const cool = sysfs(join(f.base, 'sys-cool'), 50);
    const co = await startCoordinator(f.base, { host: '127.0.0.61' });
    startAgent(f.base, co.url, 'hot', { args: ['--targets', 'host', '--sysfs-root', hot.root] });
    startAgent(f.base, co.url, 'cool', { args: ['--targets', 'host', '--sysfs-root', cool.root] });
    await waitNodes(co.url, ready(['hot', 'cool']), 90_000);

    // 1. Every action goes to the cool node; the hot one is filtered by the thermal rule.
    const r = await fester(['build', '--farm', co.url, '--mode', 'thermal'], { cwd: f.dir, cache: f.cache, env });
    expect(r.exitCode, r.stderr).toBe(0);
    let events = await lastJournal(f.dir);
    expect(startedOn(events).length).toBe(8);
    expect(new Set(startedOn(events))).toEqual(new Set(['cool']));
    expect(events.find((e) => e.type === 'node.throttled')).toMatchObject({ node: 'hot', rule: 'max', celsius: 90, sensor: 'x86_pkg_temp', maxCelsius: 85, releaseCelsius: 80 });
    const d = events.find((e) => e.type === 'schedule.decision') as { mode: string; candidates: { node: string; filtered?: string }[] };
    expect(d.mode).toBe('thermal');
    expect(d.candidates.find((c) => c.node === 'hot')!.filtered).toMatch(/^thermal: 90\.0 °C \(x86_pkg_temp\) ≥ max 85 °C/);

    // The history learned on this machine says how well it predicts each node.
    const list = await fester(['node', 'list', '--json', '--farm', co.url], { cwd: f.dir, cache: f.cache, env });
    const rows = JSON.parse(list.stdout) as { id: string; predictionError: { samples: number; mape: number } }[];
    expect(rows.find((n) => n.id === 'cool')!.predictionError.samples).toBeGreaterThan(0);
    expect(rows.find((n) => n.id === 'hot')!.predictionError).toEqual({ samples: 0, mape: 0 });

    // 2. Only the hot node may take work (cool drained): the build waits, then runs once it cools.
    expect((await fester(['node', 'set-policy', 'cool', 'drain', '--farm', co.url], { cwd: f.dir, cache: f.cache, env })).exitCode).toBe(0);
    expect((await fester(['clean'], { cwd: f.dir, cache: f.cache })).exitCode).toBe(0);
    const before = (await lastJournal(f.dir))[0]!.session;
    const build = festerSpawn(['build', '--farm', co.url], { cwd: f.dir, cache: join(f.base, 'cache2'), env });
    // Cool down only once the new build has met the hot node (start-up time varies with load).
    const end = Date.now() + 60_000;
    for (;;) {
      const ev = await lastJournal(f.dir).catch(() => []);
      if (ev[0]?.session !== before && ev.some((e) => e.type === 'node.throttled' && e.node === 'hot')) break;
      if (Date.now() > end) throw new Error('the second build never journaled the hot node');
      await new Promise((res) => setTimeout(res, 200));
    }
    await new Promise((res) => setTimeout(res, 1000));
    hot.set(82); // below the max but within the hysteresis: still throttled
    await new Promise((res) => setTimeout(res, 1500));
    hot.set(70);
    const r2 = await build;
    expect(r2.exitCode, String(r2.stderr)).toBe(0);
    events = await lastJournal(f.dir);
    const throttled = events.find((e) => e.type === 'node.throttled' && e.node === 'hot')!;
    const released = events.find((e) => e.type === 'node.unthrottled' && e.node === 'hot')!;
    expect(throttled).toMatchObject({ rule: 'max', celsius: 90 });
    expect(released).toMatchObject({ rule: 'max', celsius: 70, releaseCelsius: 80 });
    const starts = events.filter((e) => e.type === 'action.started');
    expect(starts.map((e) => (e as { node: string }).node)).toEqual(Array(8).fill('hot'));
    expect(Math.min(...starts.map((e) => e.seq))).toBeGreaterThan(released.seq);
    // The wait is journaled once per action, not at every poll.
    const waits = events.filter((e) => e.type === 'schedule.decision' && (e as { chosen: string }).chosen === '');
    expect(waits.length).toBeLessThanOrEqual(8);
    f.cleanup();
  });
});
