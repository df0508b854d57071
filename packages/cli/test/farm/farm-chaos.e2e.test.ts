import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJournal } from '@fester/core';
import { fester, festerSpawn, lastJournal } from '../../../../test/helpers.js';
import { ready, startAgent, startCoordinator, stopAll, TOKEN, waitNodes, type Proc } from '../../../../test/farm.js';
import { heavyProject } from './heavy.js';
import { differences, tree } from './tree.js';

const env = { FESTER_FARM_TOKEN: TOKEN };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('farm chaos', () => {
  afterAll(stopAll);

  it('kill -9 of a random agent every few seconds: the build succeeds, identical, dropouts journaled within 5 s', async () => {
    const f = heavyProject(30);
    const local = heavyProject(30);
    const dataDir = join(f.base, 'coord');
    const co = await startCoordinator(f.base, { dataDir, host: '127.0.0.15' });
    const ids = ['c1', 'c2', 'c3'];
    const agents = new Map<string, Proc>(ids.map((id) => [id, startAgent(f.base, co.url, id, { args: ['--targets', 'host'] })]));
    await waitNodes(co.url, ready(ids));
    const build = festerSpawn(['build', '--farm', co.url], { cwd: f.dir, cache: f.cache, env });
    let finished = false;
    void build.finally(() => { finished = true; });
    const kills: { id: string; at: number }[] = [];
    // A fixed sequence stands in for "random": the same test every run.
    const order = ['c2', 'c1', 'c3', 'c2', 'c1', 'c3'];
    for (let i = 0; i < order.length && !finished; i++) {
      await sleep(2000);
      if (finished) break;
      const id = order[i]!;
      kills.push({ id, at: Date.now() });
      await agents.get(id)!.kill('SIGKILL');
      await sleep(300);
      agents.set(id, startAgent(f.base, co.url, id, { args: ['--targets', 'host'] }));
    }
    const r = await build;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(kills.length, 'the build outlived at least two kills').toBeGreaterThanOrEqual(2);

    const l = await fester(['build'], { cwd: local.dir, cache: local.cache });
    expect(l.exitCode).toBe(0);
    expect(differences(tree(join(f.dir, 'build')), tree(join(local.dir, 'build')))).toEqual([]);

    const sessions = join(dataDir, 'sessions');
    const coordEvents = readJournal(join(sessions, readdirSync(sessions)[0]!)).events;
    for (const k of kills) {
      const drop = coordEvents.find((e) => e.type === 'node.dropout' && (e as { node: string }).node === k.id && e.ts >= k.at - 50);
      expect(drop, `dropout of ${k.id} killed at ${k.at}`).toBeDefined();
      expect(drop!.ts - k.at).toBeLessThanOrEqual(5000);
    }
    const events = await lastJournal(f.dir);
    expect(events.some((e) => e.type === 'node.dropout')).toBe(true);
    const fin = events.find((e) => e.type === 'build.finished') as { counts: { executed: number; total: number } };
    expect(fin.counts.executed).toBe(fin.counts.total);
    f.cleanup(); local.cleanup();
  });

  it('a farm of one agent that is killed and restarted: the build waits for it and succeeds', async () => {
    const f = heavyProject(8);
    const co = await startCoordinator(f.base, { host: '127.0.0.19' });
    let agent = startAgent(f.base, co.url, 'solo', { args: ['--targets', 'host'] });
    await waitNodes(co.url, ready(['solo']));
    const build = festerSpawn(['build', '--farm', co.url], { cwd: f.dir, cache: f.cache, env });
    const actions = join(f.base, 'agents', 'solo', 'actions');
    const end = Date.now() + 30_000;
    while (Date.now() < end && !readdirSync(actions, { recursive: true, encoding: 'utf8' }).some((p) => p.endsWith('.c'))) await sleep(20);
    await agent.kill('SIGKILL');
    // Longer than the dropout timeout: the actions are revoked while no node is up.
    await sleep(2500);
    agent = startAgent(f.base, co.url, 'solo', { args: ['--targets', 'host'] });
    const r = await build;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const events = await lastJournal(f.dir);
    expect(events.some((e) => e.type === 'node.dropout')).toBe(true);
    const retries = events.filter((e) => e.type === 'action.retry') as unknown as { node: string; exclude: string[] }[];
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((x) => x.node === 'solo' && x.exclude.length === 0)).toBe(true);
    f.cleanup();
  });
});
