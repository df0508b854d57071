import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fester, festerSpawn, lastJournal } from '../../../../test/helpers.js';
import { ready, startAgent, startCoordinator, stopAll, TOKEN, waitNodes } from '../../../../test/farm.js';
import { heavyProject } from './heavy.js';

const env = { FESTER_FARM_TOKEN: TOKEN };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('coordinator restart', () => {
  afterAll(stopAll);

  it('a build cut by a coordinator kill -9 resumes without re-running completed actions', async () => {
    const f = heavyProject(20);
    const dataDir = join(f.base, 'coord');
    let co = await startCoordinator(f.base, { dataDir, host: '127.0.0.23' });
    const port = Number(new URL(co.url).port);
    for (const id of ['r1', 'r2']) startAgent(f.base, co.url, id, { args: ['--targets', 'host'] });
    await waitNodes(co.url, ready(['r1', 'r2']));
    const build = festerSpawn(['build', '--farm', co.url], { cwd: f.dir, cache: f.cache, env });
    // Let some compiles finish, then take the coordinator down hard.
    const deadline = Date.now() + 60_000;
    let done = 0;
    while (Date.now() < deadline && done < 5) {
      await sleep(200);
      try { done = (await lastJournal(f.dir)).filter((e) => e.type === 'action.finished' && (e as { status: string }).status === 'success').length; } catch { /* not yet written */ }
    }
    await co.kill('SIGKILL');
    const cut = await build;
    expect(cut.exitCode).not.toBe(0);
    expect(String(cut.stderr)).toMatch(/FE0812|FE0816|FE0801/);
    const first = await lastJournal(f.dir);
    const completed = new Set(first.filter((e) => e.type === 'action.finished' && (e as { status: string }).status === 'success').map((e) => (e as { action: string }).action));
    expect(completed.size).toBeGreaterThanOrEqual(5);

    co = await startCoordinator(f.base, { dataDir, host: '127.0.0.23', port });
    // The agents were not restarted: they find the new coordinator by themselves.
    await waitNodes(co.url, ready(['r1', 'r2']), 30_000);
    const again = await fester(['build', '--farm', co.url], { cwd: f.dir, cache: f.cache, env });
    expect(again.exitCode, again.stderr).toBe(0);
    const second = await lastJournal(f.dir);
    const rerun = second.filter((e) => e.type === 'action.started').map((e) => (e as { action: string }).action);
    expect(rerun.filter((a) => completed.has(a)), 'completed actions never run again').toEqual([]);
    const fin = second.find((e) => e.type === 'build.finished') as { counts: { executed: number; cached: number; upToDate: number; total: number } };
    expect(fin.counts.cached + fin.counts.upToDate).toBeGreaterThanOrEqual(completed.size);
    f.cleanup();
  });
});
