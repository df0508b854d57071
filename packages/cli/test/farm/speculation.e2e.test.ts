import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fester, festerSpawn, lastJournal, REPO } from '../../../../test/helpers.js';
import { nodes, ready, startAgent, startCoordinator, stopAll, TOKEN, waitNodes } from '../../../../test/farm.js';

const env = { FESTER_FARM_TOKEN: TOKEN };
const SLEEP_S = 30;

type Ev = Awaited<ReturnType<typeof lastJournal>>[number];
type Started = Ev & { action: string; node: string };

/**
 * One raw action that is slow only on agent `sa` once its input says `slow` (the action runs in
 * `<work dir>/actions/<lease>-<epoch>/build/host`, and the work dir is named after the agent):
 * the test makes one agent a straggler without touching the scheduler. The output says which
 * agent wrote it. Nothing outside the action dir is read: the agent's sandbox (bubblewrap)
 * hides the rest of /tmp, where a clone may live.
 */
function project(base: string) {
  const dir = join(base, 'spec');
  mkdirSync(dir, { recursive: true });
  const script = [
    'w=$(pwd -P); w=${w%%/actions/*}',
    `if [ "\${w##*/}" = sa ] && grep -q slow {root}/in.txt; then sleep ${SLEEP_S}; fi`,
    '{ cat {root}/in.txt; echo "by ${w##*/}"; } > out.txt',
  ].join('; ');
  writeFileSync(join(dir, 'project.yaml'), [
    '# A raw action that straggles on agent sa once its input says slow.',
    'name: spec',
    'out: build',
    'targets: [host]',
    'actions:',
    '  - id: gen',
    `    run: [sh, -c, ${JSON.stringify(script)}]`,
    '    inputs: [in.txt]',
    '    outputs: [out.txt]',
    '',
  ].join('\n'));
  return dir;
}

describe('speculative duplicates on a farm of real agents', () => {
  afterAll(stopAll);

  it('a straggler on a slow agent gets a duplicate on the idle one; the duplicate wins and its output is kept', async () => {
    mkdirSync(join(REPO, '.test-tmp'), { recursive: true });
    const base = mkdtempSync(join(REPO, '.test-tmp', 'speculation-'));
    const cache = join(base, 'cache');
    const dir = project(base);
    const co = await startCoordinator(base, { host: '127.0.0.33' });
    const sa = startAgent(base, co.url, 'sa', { args: ['--targets', 'host'] });
    startAgent(base, co.url, 'sb', { args: ['--targets', 'host'] });
    await waitNodes(co.url, ready(['sa', 'sb']), 90_000);

    // 1. Both agents fast: the scheduler history learns how long the action takes.
    writeFileSync(join(dir, 'in.txt'), 'v1\n');
    const r1 = await fester(['build', '--farm', co.url, '--mode', 'intelligence'], { cwd: dir, cache, env });
    expect(r1.exitCode, r1.stderr).toBe(0);
    const e1 = await lastJournal(dir);
    expect(e1.filter((e) => e.type === 'action.started')).toHaveLength(1);
    expect(e1.some((e) => e.type === 'schedule.speculation')).toBe(false);
    const history = JSON.parse(readFileSync(join(cache, 'scheduler', 'history.json'), 'utf8')) as { classes: Record<string, { n: number; mean: number }> };
    expect(Object.values(history.classes).some((c) => c.n >= 1 && c.mean < 1000), JSON.stringify(history)).toBe(true);

    // 2. sa turns slow, and the original must land there: sb is drained until it has started.
    writeFileSync(join(dir, 'in.txt'), 'v2 slow\n');
    const drain = await fester(['node', 'set-policy', 'sb', 'drain', '--farm', co.url], { cwd: dir, cache, env });
    expect(drain.exitCode, drain.stderr).toBe(0);
    await waitNodes(co.url, (n) => n.some((x) => x.id === 'sb' && x.policy === 'drain'), 10_000);
    const before = e1[0]!.session;
    const t0 = Date.now();
    const build = festerSpawn(['build', '--farm', co.url, '--mode', 'intelligence'], { cwd: dir, cache, env });
    const end = Date.now() + 20_000;
    for (;;) {
      const ev = await lastJournal(dir).catch(() => [] as Ev[]);
      if (ev[0]?.session !== before && ev.some((e) => e.type === 'action.started')) break;
      if (Date.now() > end) throw new Error('the second build never started its action');
      await new Promise((res) => setTimeout(res, 100));
    }
    const undrain = await fester(['node', 'set-policy', 'sb', 'neutral', '--farm', co.url], { cwd: dir, cache, env });
    expect(undrain.exitCode, undrain.stderr).toBe(0);
    const r2 = await build;
    const wallMs = Date.now() - t0;
    expect(r2.exitCode, String(r2.stderr)).toBe(0);
    // Well before the slow copy could have ended: the duplicate's result was kept and the original cancelled.
    expect(wallMs).toBeLessThan(15_000);

    const events = await lastJournal(dir);
    expect(events[0]!.session).not.toBe(before);
    const spec = events.filter((e) => e.type === 'schedule.speculation');
    expect(spec).toHaveLength(1);
    expect(spec[0]).toMatchObject({ action: 'host/gen', node: 'sb', original: 'sa' });
    expect((spec[0] as { elapsedMs: number }).elapsedMs).toBeGreaterThan(1000);
    const started = events.filter((e) => e.type === 'action.started') as Started[];
    expect(started.map((s) => [s.action, s.node])).toEqual([['host/gen', 'sa'], ['host/gen', 'sb']]);
    expect(started[1]!.causes).toContain(spec[0]!.seq);
    const settled = events.filter((e) => e.type === 'speculation.settled');
    expect(settled).toHaveLength(1);
    expect(settled[0]).toMatchObject({ action: 'host/gen', winner: 'sb', loser: 'sa', won: 'duplicate', loserStatus: 'cancelled' });
    expect(settled[0]!.causes).toContain(spec[0]!.seq);
    const finished = events.filter((e) => e.type === 'action.finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ action: 'host/gen', node: 'sb' });
    expect(settled[0]!.seq).toBeLessThan(finished[0]!.seq);
    // The winner's bytes, written by the winner (the loser never wrote into the workspace).
    expect(readFileSync(join(dir, 'build', 'host', 'out.txt'), 'utf8')).toBe('v2 slow\nby sb\n');
    // The losing copy was stopped on sa (its lease revoked, the sleep killed, its action dir removed), not left to run out.
    const actions = join(base, 'agents', 'sa', 'actions');
    const gone = Date.now() + 5_000;
    while ((existsSync(actions) && readdirSync(actions).length > 0) || !/revoked \(cancelled by the build client\)/.test(sa.output())) {
      if (Date.now() > gone) throw new Error(`the losing copy still runs on sa: ${existsSync(actions) ? readdirSync(actions).join(', ') : ''}\n${sa.output()}`);
      await new Promise((res) => setTimeout(res, 100));
    }
    expect((await nodes(co.url)).find((n) => n.id === 'sa')!.state).toBe('ready');
    rmSync(base, { recursive: true, force: true });
  });
});
