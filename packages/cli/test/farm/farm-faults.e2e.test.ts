import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJournal } from '@fester/core';
import { fester, festerSpawn, lastJournal } from '../../../../test/helpers.js';
import { FaultProxy } from '../../../../test/faultProxy.js';
import { ready, startAgent, startCoordinator, stopAll, TOKEN, waitNodes } from '../../../../test/farm.js';
import { heavyProject } from './heavy.js';
import { differences, tree } from './tree.js';

const env = { FESTER_FARM_TOKEN: TOKEN };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const proxies: FaultProxy[] = [];

/** Whether an agent's action directories hold a file with this suffix yet. */
function has(dir: string, suffix: string): boolean {
  try {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' }).some((p) => p.endsWith(suffix));
  } catch { return false; }
}

function coordinatorEvents(dataDir: string) {
  const sessions = join(dataDir, 'sessions');
  return readJournal(join(sessions, readdirSync(sessions).sort().at(-1)!)).events;
}

describe('farm network faults', () => {
  afterAll(async () => { await stopAll(); for (const p of proxies) await p.close(); });

  it('a partitioned agent that answers late has its result refused; the build completes elsewhere', async () => {
    const f = heavyProject(16);
    const local = heavyProject(16);
    const dataDir = join(f.base, 'coord');
    const co = await startCoordinator(f.base, { dataDir, host: '127.0.0.16' });
    const u = new URL(co.url);
    const proxy = new FaultProxy({ host: u.hostname, port: Number(u.port) });
    proxies.push(proxy);
    const via = await proxy.listen('127.0.0.17');
    const farAgent = startAgent(f.base, via, 'far', { args: ['--targets', 'host'] });
    startAgent(f.base, co.url, 'near', { args: ['--targets', 'host'] });
    await waitNodes(co.url, ready(['far', 'near']));
    const build = festerSpawn(['build', '--farm', co.url], { cwd: f.dir, cache: f.cache, env });
    // Partition once `far` has fetched the inputs of a lease (its compile then runs and
    // finishes behind the partition), long past the 1.5 s dropout timeout, then heal: the
    // held result arrives under a revoked lease.
    const actions = join(f.base, 'agents', 'far', 'actions');
    let deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !has(actions, '.c')) await sleep(20);
    proxy.partition();
    // Heal only once the dropout is journaled and far's compile has produced its object.
    deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !(has(actions, '.o') && coordinatorEvents(dataDir).some((e) => e.type === 'node.dropout'))) await sleep(50);
    await sleep(500);
    proxy.heal();
    const r = await build;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    await sleep(500);
    const ev = coordinatorEvents(dataDir);
    const drop = ev.find((e) => e.type === 'node.dropout' && (e as { node: string }).node === 'far');
    expect(drop).toBeDefined();
    // Caused by the missed heartbeats, journaled first as node.silent.
    const silent = ev.find((e) => e.type === 'node.silent' && (e as { node: string }).node === 'far');
    expect(silent).toBeDefined();
    expect(drop!.causes).toEqual([silent!.seq]);
    const refused = ev.filter((e) => e.type === 'lease.refused') as unknown as { node: string; epoch: number; currentEpoch: number; reason: string }[];
    expect(refused.length, `late results refused; far said:\n${farAgent.output()}`).toBeGreaterThan(0);
    expect(refused.every((x) => x.node === 'far')).toBe(true);
    expect((await lastJournal(f.dir)).some((e) => e.type === 'action.retry')).toBe(true);
    expect((await fester(['build'], { cwd: local.dir, cache: local.cache })).exitCode).toBe(0);
    expect(differences(tree(join(f.dir, 'build')), tree(join(local.dir, 'build')))).toEqual([]);
    f.cleanup(); local.cleanup();
  });

  it('a proxy that flips a byte of a blob is detected and the blob fetched again', async () => {
    const f = heavyProject(2, 5);
    const co = await startCoordinator(f.base, { host: '127.0.0.18' });
    const u = new URL(co.url);
    const proxy = new FaultProxy({ host: u.hostname, port: Number(u.port) });
    proxies.push(proxy);
    const via = await proxy.listen('127.0.0.19');
    startAgent(f.base, via, 'flaky', { args: ['--targets', 'host'] });
    await waitNodes(co.url, ready(['flaky']));
    proxy.flipNextBlob();
    const r = await fester(['build', '--farm', co.url], { cwd: f.dir, cache: f.cache, env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(proxy.flipped).toBe(1);
    const corrupt = (await lastJournal(f.dir)).filter((e) => e.type === 'blob.corrupt');
    expect(corrupt).toHaveLength(1);
    expect(corrupt[0]).toMatchObject({ node: 'flaky', attempt: 1 });
    f.cleanup();
  });
});
