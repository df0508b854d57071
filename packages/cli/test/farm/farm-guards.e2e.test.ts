import { afterAll, describe, expect, it } from 'vitest';
import { fester, fixture, lastJournal } from '../../../../test/helpers.js';
import { ready, startAgent, startCoordinator, stopAll, TOKEN, waitNodes } from '../../../../test/farm.js';

const env = { FESTER_FARM_TOKEN: TOKEN };
const started = (events: { type: string }[]) => events.filter((e) => e.type === 'action.started').map((e) => (e as unknown as { node: string }).node);

describe('farm guards', () => {
  afterAll(stopAll);

  it('a production node takes only allowed projects, with its limits; otherwise FE0810', async () => {
    const f = fixture('hello');
    const co = await startCoordinator(f.base, { host: '127.0.0.12' });
    startAgent(f.base, co.url, 'prod1', { args: ['--targets', 'host', '--production-allow', 'firmware', '--nice', '10'] });
    await waitNodes(co.url, ready(['prod1']));
    const refused = await fester(['build', '--farm', co.url], { cwd: f.dir, cache: f.cache, env });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('FE0810');
    expect(refused.stderr).toContain('not on its allow-list');

    startAgent(f.base, co.url, 'dev1', { args: ['--targets', 'host'] });
    await waitNodes(co.url, ready(['prod1', 'dev1']));
    const ok = await fester(['build', '--farm', co.url], { cwd: f.dir, cache: f.cache, env });
    expect(ok.exitCode, ok.stderr).toBe(0);
    const nodesUsed = started(await lastJournal(f.dir));
    expect(nodesUsed.length).toBe(8);
    expect(nodesUsed.every((n) => n === 'dev1')).toBe(true);

    // A project on the allow-list runs there, niced: a raw action reports its niceness.
    const g = fixture('hello');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${g.dir}/project.yaml`, 'name: firmware\nactions:\n  - id: nice\n    run: [sh, -c, "nice > n.txt"]\n    outputs: [n.txt]\n');
    await fester(['node', 'set-policy', 'dev1', 'drain', '--farm', co.url], { cwd: g.dir, cache: g.cache, env });
    const prod = await fester(['build', '--farm', co.url], { cwd: g.dir, cache: g.cache, env });
    expect(prod.exitCode, prod.stderr).toBe(0);
    expect(started(await lastJournal(g.dir))).toEqual(['prod1']);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(`${g.dir}/build/host/n.txt`, 'utf8').trim()).toBe('10');
    f.cleanup(); g.cleanup();
  });

  it('quarantines an agent whose clock is off and says why in node list', async () => {
    const f = fixture('hello');
    const co = await startCoordinator(f.base, { host: '127.0.0.13' });
    startAgent(f.base, co.url, 'skewed', { args: ['--targets', 'host', '--clock-offset-ms', '2500'] });
    startAgent(f.base, co.url, 'good', { args: ['--targets', 'host'] });
    const table = await waitNodes(co.url, (n) => n.some((x) => x.id === 'skewed' && x.state === 'quarantined') && n.some((x) => x.id === 'good' && x.state === 'ready'));
    const skewed = table.find((n) => n.id === 'skewed')!;
    expect(skewed.clockOffsetMs).toBeGreaterThan(2000);
    expect(skewed.stateReason).toMatch(/clock offset \d+ ms exceeds ±500 ms/);
    const list = await fester(['node', 'list', '--farm', co.url], { cwd: f.dir, cache: f.cache, env });
    expect(list.stdout).toMatch(/skewed\s.*quarantined.*clock offset \d+ ms exceeds/);
    const b = await fester(['build', '--farm', co.url], { cwd: f.dir, cache: f.cache, env });
    expect(b.exitCode, b.stderr).toBe(0);
    const events = await lastJournal(f.dir);
    expect(started(events).every((n) => n === 'good')).toBe(true);
    f.cleanup();
  });
});
