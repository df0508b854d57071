import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fester, fixture, lastJournal } from '../../../../test/helpers.js';
import { nodes, ready, startAgent, startCoordinator, stopAll, TOKEN, waitNodes } from '../../../../test/farm.js';
import { differences, tree } from './tree.js';

const env = { FESTER_FARM_TOKEN: TOKEN };

describe('farm build', () => {
  afterAll(stopAll);

  it('builds a four-target project on 3 agents byte-identical to the embedded build', async () => {
    const farm = fixture('portable');
    const local = fixture('portable');
    const co = await startCoordinator(farm.base);
    for (const id of ['a1', 'a2', 'a3']) startAgent(farm.base, co.url, id);
    await waitNodes(co.url, ready(['a1', 'a2', 'a3']), 90_000);
    const r = await fester(['build', '--farm', co.url, '--json'], { cwd: farm.dir, cache: farm.cache, env });
    expect(r.exitCode, r.stderr).toBe(0);
    const l = await fester(['build'], { cwd: local.dir, cache: local.cache });
    expect(l.exitCode, l.stderr).toBe(0);
    const got = tree(join(farm.dir, 'build'));
    expect(got.size).toBeGreaterThan(10);
    expect(differences(got, tree(join(local.dir, 'build')))).toEqual([]);

    const events = await lastJournal(farm.dir);
    const started = events.filter((e) => e.type === 'action.started');
    const used = new Set(started.map((e) => (e as { node: string }).node));
    expect(used.size, 'actions spread over the agents').toBeGreaterThanOrEqual(2);
    expect([...used].every((n) => ['a1', 'a2', 'a3'].includes(n))).toBe(true);
    expect(events.filter((e) => e.type === 'lease.granted').length).toBe(started.length);
    const sched = events.find((e) => e.type === 'action.scheduled') as { candidates: unknown[] } | undefined;
    expect(sched?.candidates).toHaveLength(3);
    farm.cleanup(); local.cleanup();
  });

  it('drain and avoid steer work away; policies survive a coordinator restart', async () => {
    const f = fixture('hello');
    const dataDir = join(f.base, 'coord-data');
    let co = await startCoordinator(f.base, { dataDir, host: '127.0.0.11' });
    const agents = ['p1', 'p2'].map((id) => startAgent(f.base, co.url, id, { args: ['--targets', 'host'] }));
    await waitNodes(co.url, ready(['p1', 'p2']));
    const set = await fester(['node', 'set-policy', 'p1', 'drain', '--farm', co.url], { cwd: f.dir, cache: f.cache, env });
    expect(set.exitCode, set.stderr).toBe(0);
    const r = await fester(['build', '--farm', co.url], { cwd: f.dir, cache: f.cache, env });
    expect(r.exitCode, r.stderr).toBe(0);
    let events = await lastJournal(f.dir);
    const on = (ev: typeof events) => ev.filter((e) => e.type === 'action.started').map((e) => (e as { node: string }).node);
    expect(on(events).length).toBe(8);
    expect(on(events).every((n) => n === 'p2')).toBe(true);
    const filtered = events.find((e) => e.type === 'action.scheduled') as { candidates: { node: string; filtered?: string }[] };
    expect(filtered.candidates.find((c) => c.node === 'p1')?.filtered).toBe('policy drain');

    // avoid: used only while the others are busy; with one job at a time p2 is never busy.
    expect((await fester(['node', 'set-policy', 'p1', 'avoid', '--farm', co.url], { cwd: f.dir, cache: f.cache, env })).exitCode).toBe(0);
    expect((await fester(['clean'], { cwd: f.dir, cache: f.cache })).exitCode).toBe(0);
    const r2 = await fester(['build', '--farm', co.url, '-j', '1'], { cwd: f.dir, cache: join(f.base, 'cache2'), env });
    expect(r2.exitCode, r2.stderr).toBe(0);
    events = await lastJournal(f.dir);
    expect(on(events).length).toBe(8);
    expect(on(events).every((n) => n === 'p2')).toBe(true);

    // The node table and policies are on disk: a new coordinator on the same data dir knows them.
    await co.kill('SIGKILL');
    for (const a of agents) await a.kill('SIGKILL');
    co = await startCoordinator(f.base, { dataDir, host: '127.0.0.11' });
    const after = await nodes(co.url);
    expect(after.find((n) => n.id === 'p1')).toMatchObject({ policy: 'avoid', state: 'down' });
    const list = await fester(['node', 'list', '--farm', co.url], { cwd: f.dir, cache: f.cache, env });
    expect(list.stdout).toMatch(/p1\s.*down.*avoid/);
    f.cleanup();
  });
});
