import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { fester, fixture, lastJournal } from '../../../test/helpers.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** Where cacache keeps a sha256 blob: content-v2/sha256/ab/cd/ef… */
const blobPath = (cache: string, hex: string) => join(cache, 'local/content-v2/sha256', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));

describe('local cache tier integrity', () => {
  const fx = fixture('hello');
  afterAll(() => fx.cleanup());

  it('a corrupted blob is detected, not served, rebuilt, and the build is green', async () => {
    expect((await fester(['build'], { cwd: fx.dir, cache: fx.cache })).exitCode).toBe(0);
    const exe = join(fx.dir, 'build/host/hello');
    const good = readFileSync(exe);
    const blob = blobPath(fx.cache, sha(good));
    const bytes = readFileSync(blob);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(blob, bytes);
    rmSync(join(fx.dir, 'build'), { recursive: true });

    const r = await fester(['build'], { cwd: fx.dir, cache: fx.cache });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/warning FE0501: corrupt local cache entry/);
    const evs = await lastJournal(fx.dir);
    const corrupt = evs.find((e) => e.type === 'cache.corrupt');
    expect(corrupt).toMatchObject({ tier: 'local', digest: sha(good) });
    const miss = evs.find((e) => e.type === 'cache.miss' && e.action === 'host/hello');
    expect(miss).toMatchObject({ reason: 'corrupt-entry', causes: [corrupt!.seq] });
    expect(evs.filter((e) => e.type === 'action.started').map((e) => (e as { action: string }).action)).toEqual(['host/hello']);
    expect(readFileSync(exe).equals(good)).toBe(true);
    expect((await execa(exe)).stdout).toBe('hello, world (v1.2.3)');
    // The rebuilt blob replaced the bad one: a fresh out dir is fully served from the cache.
    rmSync(join(fx.dir, 'build'), { recursive: true });
    await fester(['build'], { cwd: fx.dir, cache: fx.cache });
    const again = await lastJournal(fx.dir);
    expect(again.filter((e) => e.type === 'cache.hit')).toHaveLength(8);
    expect(again.some((e) => e.type === 'cache.corrupt')).toBe(false);
  });

  it('a corrupted action entry is dropped and the action rebuilt', async () => {
    rmSync(join(fx.dir, 'build'), { recursive: true });
    // Truncate every index bucket's last line: entries become unreadable, never misread.
    const { globSync } = await import('tinyglobby');
    for (const f of globSync('local/index-v5/**/*', { cwd: fx.cache, absolute: true, onlyFiles: true })) {
      const t = readFileSync(f, 'utf8');
      writeFileSync(f, t.slice(0, Math.max(0, t.length - 9)));
    }
    const r = await fester(['build'], { cwd: fx.dir, cache: fx.cache });
    expect(r.exitCode).toBe(0);
    expect((await execa(join(fx.dir, 'build/host/hello'))).stdout).toBe('hello, world (v1.2.3)');
  });

  it('outputs do not depend on where the checkout lives (debug info included)', async () => {
    const other = fixture('hello');
    try {
      expect((await fester(['build'], { cwd: other.dir, cache: other.cache })).exitCode).toBe(0);
      for (const f of ['hello', 'shout', 'libgreet.a', 'obj/greet/lib/count.c.o']) {
        expect(readFileSync(join(other.dir, 'build/host', f)).equals(readFileSync(join(fx.dir, 'build/host', f))), f).toBe(true);
      }
      const strings = await execa('strings', [join(other.dir, 'build/host/hello')]);
      expect(strings.stdout).not.toContain(other.base);
    } finally {
      other.cleanup();
    }
  });
});
