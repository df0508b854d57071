import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { fester, fixture, lastJournal } from '../../../test/helpers.js';

/**
 * @fester/plugin-ccache on fixtures/ccache: checkouts in different folders with separate
 * Fester caches share one ccache folder, so only ccache can make the second build fast.
 */
const OUTPUTS = ['obj/calc/lib/add.c.o', 'obj/calc/lib/mul.c.o', 'obj/calc-demo/app/main.c.o', 'libcalc.a', 'calc-demo'];

describe('ccache plugin', () => {
  const a = fixture('ccache');
  const b = fixture('ccache');
  const plain = fixture('ccache');
  const ccacheDir = join(a.base, 'ccache-shared');
  const env = { FESTER_TEST_CCACHE_DIR: ccacheDir };
  afterAll(() => { a.cleanup(); b.cleanup(); plain.cleanup(); });

  const statsOf = async (dir: string) => {
    const evs = (await lastJournal(dir)).filter((e) => e.type === 'ccache.stats') as unknown as { hits: number; misses: number; dir: string; node: string }[];
    expect(evs).toHaveLength(1);
    return evs[0]!;
  };

  it('the first build compiles through ccache (misses) and journals its counters', async () => {
    expect((await fester(['build'], { cwd: a.dir, cache: a.cache, env })).exitCode).toBe(0);
    const s = await statsOf(a.dir);
    expect(s).toMatchObject({ node: 'local', dir: join(ccacheDir, 'local'), hits: 0, misses: 3 });
    const started = (await lastJournal(a.dir)).filter((e) => e.type === 'action.started') as unknown as { action: string; argv: string[] }[];
    expect(started).toHaveLength(5);
  });

  it('a second build in a fresh checkout, with an empty Fester cache, hits ccache (its own stats say so)', async () => {
    const r = await fester(['build'], { cwd: b.dir, cache: b.cache, env });
    expect(r.exitCode).toBe(0);
    // Fester's cache was empty: every action ran, and each compile was a ccache hit.
    const evs = await lastJournal(b.dir);
    expect(evs.filter((e) => e.type === 'cache.hit')).toHaveLength(0);
    expect(await statsOf(b.dir)).toMatchObject({ hits: 3, misses: 0 });
    const own = await execa('ccache', ['--print-stats'], { env: { CCACHE_DIR: join(ccacheDir, 'local') } });
    expect(own.stdout).toMatch(/^direct_cache_hit\t3$/m);
    expect(own.stdout).toMatch(/^cache_miss\t3$/m);
    for (const o of OUTPUTS) {
      expect(readFileSync(join(b.dir, 'build/host', o)).equals(readFileSync(join(a.dir, 'build/host', o))), o).toBe(true);
    }
    expect((await execa(join(b.dir, 'build/host/calc-demo'))).stdout).toBe('6*7=42');
  });

  it('outputs are byte-identical with and without ccache', async () => {
    const r = await fester(['build', '--config', join(plain.dir, 'plain.festerconfig.ts')], { cwd: plain.dir, cache: plain.cache });
    expect(r.exitCode).toBe(0);
    expect((await lastJournal(plain.dir)).some((e) => e.type === 'ccache.stats')).toBe(false);
    for (const o of OUTPUTS) {
      expect(readFileSync(join(plain.dir, 'build/host', o)).equals(readFileSync(join(a.dir, 'build/host', o))), o).toBe(true);
    }
  });

  it('a missing ccache binary is a coded error, not a stack trace', async () => {
    rmSync(join(a.dir, 'build'), { recursive: true, force: true });
    const r = await fester(['build'], { cwd: a.dir, cache: a.cache, env: { ...env, PATH: '/nonexistent' } });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/error FE0507/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
