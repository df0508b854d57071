import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { fester, festerSpawn, fixture, lastJournal } from '../../../test/helpers.js';

/** Wait (bounded) until the JSON event stream shows `n` slow actions started. */
async function untilStarted(child: ReturnType<typeof festerSpawn>, n: number): Promise<void> {
  let seen = 0;
  let buf = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('actions did not start within 20 s')), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) if (l.includes('"type":"action.started"') && l.includes('slow-') && ++seen === n) { clearTimeout(timer); resolve(); }
    });
  });
}

/** Processes whose command line matches, after giving the kernel a moment to reap them. */
async function survivors(pattern: string): Promise<string> {
  let left = '';
  for (let i = 0; i < 30; i++) {
    left = (await execa('pgrep', ['-f', pattern], { reject: false })).stdout.trim();
    if (!left) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return left;
}

const sleepers = () => survivors('sleep 37.25');

describe('interrupting a build', () => {
  const fx = fixture('slow');
  afterAll(() => fx.cleanup());

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`${sig} kills running commands and leaves no partial output or cache entry`, async () => {
      const child = festerSpawn(['build', '--json', '-j', '3'], { cwd: fx.dir, cache: fx.cache });
      await untilStarted(child, 2);
      await new Promise((r) => setTimeout(r, 300));
      child.kill(sig);
      const r = await child;
      expect(r.exitCode).toBe(130);
      expect(existsSync(join(fx.dir, 'build/host/a.txt'))).toBe(false);
      expect(existsSync(join(fx.dir, 'build/host/b.txt'))).toBe(false);
      expect(await sleepers()).toBe('');
      const evs = await lastJournal(fx.dir);
      expect(evs[evs.length - 1]).toMatchObject({ type: 'build.finished', status: 'interrupted' });
      expect(evs.filter((e) => e.type === 'action.finished' && e.status === 'interrupted')).toHaveLength(2);
    });
  }

  it('the next build runs the interrupted actions again (nothing was cached for them)', async () => {
    const child = festerSpawn(['build', '--json', '-j', '3'], { cwd: fx.dir, cache: fx.cache });
    await untilStarted(child, 2);
    child.kill('SIGINT');
    await child;
    const evs = await lastJournal(fx.dir);
    const started = evs.filter((e) => e.type === 'action.started').map((e) => (e as { action: string }).action).sort();
    expect(started).toEqual(['host/slow-a', 'host/slow-b']);
  });
});

describe('--keep-going', () => {
  const fx = fixture('keep-going');
  afterAll(() => fx.cleanup());

  it('without it, the first failure stops new work', async () => {
    const r = await fester(['build', '-j', '1'], { cwd: fx.dir, cache: fx.cache });
    expect(r.exitCode).toBe(1);
    const evs = await lastJournal(fx.dir);
    expect(evs.filter((e) => e.type === 'action.finished' && e.status === 'failed')).toHaveLength(1);
    expect(existsSync(join(fx.dir, 'build/host/good'))).toBe(false);
  });

  it('with it, independent work goes on and every failure is shown', async () => {
    const r = await fester(['build', '-j', '1', '--keep-going'], { cwd: fx.dir, cache: fx.cache });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('undefined1');
    expect(r.stderr).toContain('undefined2');
    expect(existsSync(join(fx.dir, 'build/host/good'))).toBe(true);
    const evs = await lastJournal(fx.dir);
    expect(evs.filter((e) => e.type === 'action.skipped').map((e) => (e as { action: string }).action).sort()).toEqual(['host/broken1', 'host/broken2']);
  });
});

describe('a second Ctrl-C', () => {
  const fx = fixture('bad-inputs');
  afterAll(() => fx.cleanup());

  it('exits at once, killing a command that ignores SIGTERM and removing its partial output', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(fx.dir, 'project.yaml'), 'name: stubborn\nactions:\n  - id: stubborn\n    run: [sh, -c, "trap \'\' TERM; echo partial > s.txt; sleep 43.75; echo done >> s.txt"]\n    outputs: [s.txt]\n');
    const child = festerSpawn(['build', '--json'], { cwd: fx.dir, cache: fx.cache });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    const deadline = Date.now() + 20_000;
    while (!existsSync(join(fx.dir, 'build/host/s.txt')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const t0 = Date.now();
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(existsSync(join(fx.dir, 'build/host/s.txt'))).toBe(false);
    expect(await survivors('sleep 43.75')).toBe('');
    expect(out).toContain('"type":"action.started"');
  });
});
