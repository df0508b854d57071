import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { fester, festerSpawn, fixture, lastJournal } from '../../../test/helpers.js';

/**
 * The tmpfs tier in front of the local tier (fixtures/tiers), and `fester cache` commands.
 * Each test gets its own fixture copy, cache dir and RAM folder.
 */
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const shmDirs: string[] = [];
function setup(max = '64M') {
  const fx = fixture('tiers');
  const shm = join('/dev/shm', `fester-test-${process.pid}-${shmDirs.length}`);
  shmDirs.push(shm);
  const env = { FESTER_TEST_TMPFS_DIR: shm, FESTER_TEST_TMPFS_MAX: max };
  const run = (args: string[]) => fester(args, { cwd: fx.dir, cache: fx.cache, env });
  const stats = async (tier: string) => JSON.parse((await run(['cache', 'stats', '--tier', tier, '--json'])).stdout)[0] as { entries: number; blobs: number; bytes: number; maxBytes?: number };
  return { fx, shm, env, run, stats };
}
afterAll(() => { for (const d of shmDirs) rmSync(d, { recursive: true, force: true }); });

type Ev = Awaited<ReturnType<typeof lastJournal>>[number];
const of = (evs: Ev[], type: string) => evs.filter((e) => e.type === type) as (Ev & Record<string, unknown>)[];
const idx = (evs: Ev[], type: string) => evs.findIndex((e) => e.type === type);
const demo = async (dir: string) => (await execa(join(dir, 'build/host/calc-demo'))).stdout;

/** Wait (bounded) until the --json stream shows `n` cache.stored events. */
async function untilStored(child: ReturnType<typeof festerSpawn>, n: number): Promise<void> {
  let seen = 0;
  let buf = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fewer than ${n} stores within 30 s`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) if (l.includes('"type":"cache.stored"') && ++seen === n) { clearTimeout(timer); resolve(); }
    });
  });
}

describe('tmpfs tier: write-back behind the sync barrier', () => {
  const t = setup();
  afterAll(() => t.fx.cleanup());

  it('the build is reported done only after every entry was written back (journal order)', async () => {
    expect((await t.run(['build'])).exitCode).toBe(0);
    const evs = await lastJournal(t.fx.dir);
    const wb = of(evs, 'cache.writeback');
    expect(wb).toHaveLength(1);
    // 6 actions with outputs + 3 compile manifests, all written back, none failed.
    expect(wb[0]).toMatchObject({ tier: 'tmpfs', entries: 9, failed: 0 });
    const lastStore = evs.map((e) => e.type).lastIndexOf('cache.stored');
    expect(lastStore).toBeLessThan(idx(evs, 'cache.writeback'));
    expect(idx(evs, 'cache.writeback')).toBeLessThan(idx(evs, 'cache.barrier'));
    expect(idx(evs, 'cache.barrier')).toBe(evs.length - 2);
    expect(evs[evs.length - 1]).toMatchObject({ type: 'build.finished', status: 'success' });
    expect((await t.stats('local')).entries).toBe(9);
    expect((await t.stats('tmpfs')).entries).toBe(9);
  });

  it('the next build is served from RAM, with bytes per hit', async () => {
    rmSync(join(t.fx.dir, 'build'), { recursive: true });
    expect((await t.run(['build'])).exitCode).toBe(0);
    const hits = of(await lastJournal(t.fx.dir), 'cache.hit');
    expect(hits).toHaveLength(6);
    expect(hits.every((h) => h.tier === 'tmpfs' && typeof h.bytes === 'number' && (h.bytes as number) > 0)).toBe(true);
    expect(await demo(t.fx.dir)).toBe('6*7=42');
  });

  it('with RAM wiped (a reboot), everything comes back from the local tier', async () => {
    rmSync(t.shm, { recursive: true });
    rmSync(join(t.fx.dir, 'build'), { recursive: true });
    expect((await t.run(['build'])).exitCode).toBe(0);
    const evs = await lastJournal(t.fx.dir);
    expect(of(evs, 'cache.hit').map((h) => h.tier)).toEqual(Array(6).fill('local'));
    expect(of(evs, 'action.started')).toHaveLength(0);
    expect(await demo(t.fx.dir)).toBe('6*7=42');
  });

  it('a poisoned RAM entry (right key, wrong bytes) is detected, deleted, journaled and never served', async () => {
    // Start from nothing so RAM holds a fresh copy of every entry.
    rmSync(join(t.fx.dir, 'build'), { recursive: true });
    rmSync(t.shm, { recursive: true });
    rmSync(t.fx.cache, { recursive: true });
    expect((await t.run(['build'])).exitCode).toBe(0);
    const exe = readFileSync(join(t.fx.dir, 'build/host/calc-demo'));
    const blob = join(t.shm, 'cas', sha(exe));
    const bytes = readFileSync(blob);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(blob, bytes);
    rmSync(join(t.fx.dir, 'build'), { recursive: true });
    const r = await t.run(['build']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/warning.*corrupt tmpfs cache entry/);
    const evs = await lastJournal(t.fx.dir);
    expect(of(evs, 'cache.corrupt')).toEqual([expect.objectContaining({ tier: 'tmpfs', digest: sha(exe) })]);
    expect(of(evs, 'cache.hit').find((h) => h.action === 'host/calc-demo')).toMatchObject({ tier: 'local' });
    expect(readFileSync(join(t.fx.dir, 'build/host/calc-demo')).equals(exe)).toBe(true);
    expect(existsSync(blob)).toBe(false);
  });
});

describe('tmpfs tier: crashes and signals', () => {
  it('kill -9 before the barrier leaves no persistent half entry; verify is clean; the next build is correct', async () => {
    const t = setup();
    try {
      writeFileSync(join(t.fx.dir, 'hold.flag'), '');
      const child = festerSpawn(['build', '--json', '-j', '4'], { cwd: t.fx.dir, cache: t.fx.cache, env: t.env });
      await untilStored(child, 5);
      child.kill('SIGKILL');
      await child;
      rmSync(join(t.fx.dir, 'hold.flag')); // the orphaned `held` command ends
      expect((await t.stats('tmpfs')).entries).toBeGreaterThanOrEqual(5);
      expect((await t.stats('local')).entries).toBe(0);
      const v = await t.run(['cache', 'verify', '--json']);
      expect(v.exitCode).toBe(0);
      expect(JSON.parse(v.stdout)).toMatchObject({ corrupt: 0 });
      const r = await t.run(['build']);
      expect(r.exitCode).toBe(0);
      expect(await demo(t.fx.dir)).toBe('6*7=42');
      expect(readFileSync(join(t.fx.dir, 'build/host/held.txt'), 'utf8')).toBe('held\n');
      // What the killed build left only in RAM was written back by this one's barrier.
      expect((await t.stats('local')).entries).toBe(9);
      expect(readdirSync(join(t.shm, 'pending'))).toEqual([]);
    } finally { t.fx.cleanup(); }
  });

  it('SIGTERM aborts the build, and the barrier still writes back what was produced', async () => {
    const t = setup();
    try {
      writeFileSync(join(t.fx.dir, 'hold.flag'), '');
      const child = festerSpawn(['build', '--json', '-j', '4'], { cwd: t.fx.dir, cache: t.fx.cache, env: t.env });
      await untilStored(child, 5);
      child.kill('SIGTERM');
      expect((await child).exitCode).toBe(130);
      rmSync(join(t.fx.dir, 'hold.flag'), { force: true });
      const evs = await lastJournal(t.fx.dir);
      expect(of(evs, 'cache.writeback')[0]).toMatchObject({ tier: 'tmpfs', failed: 0 });
      expect(of(evs, 'cache.writeback')[0]!.entries).toBeGreaterThanOrEqual(5);
      expect(idx(evs, 'cache.barrier')).toBeGreaterThan(idx(evs, 'cache.writeback'));
      expect(evs[evs.length - 1]).toMatchObject({ type: 'build.finished', status: 'interrupted' });
      // Durable: with RAM gone, the five finished actions come from the local tier.
      rmSync(t.shm, { recursive: true });
      rmSync(join(t.fx.dir, 'build'), { recursive: true });
      expect((await t.run(['build'])).exitCode).toBe(0);
      const next = await lastJournal(t.fx.dir);
      expect(of(next, 'cache.hit').filter((h) => h.tier === 'local')).toHaveLength(5);
      expect(of(next, 'action.started').map((e) => e.action)).toEqual(['host/held']);
    } finally { t.fx.cleanup(); }
  });
});

describe('tmpfs tier: limits and bad input', () => {
  it('the LRU cap is honoured during the build, and nothing is lost', async () => {
    const t = setup('24k');
    try {
      expect((await t.run(['build'])).exitCode).toBe(0);
      const evs = await lastJournal(t.fx.dir);
      expect(of(evs, 'cache.evicted').length).toBeGreaterThan(0);
      const s = await t.stats('tmpfs');
      expect(s.maxBytes).toBe(24 * 1024);
      expect(s.bytes).toBeLessThanOrEqual(24 * 1024);
      expect(s.entries).toBeLessThan(9);
      expect((await t.stats('local')).entries).toBe(9);
    } finally { t.fx.cleanup(); }
  });

  describe('a tmpfs that fills up (mounted at 64k)', () => {
    const t = setup('64M');
    const mnt = t.shm;
    mkdirSync(mnt, { recursive: true });
    afterAll(async () => { await execa('umount', [mnt], { reject: false }); t.fx.cleanup(); });

    it('falls back to write-through with a warning; the build succeeds and nothing is lost', async () => {
      await execa('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
      // Fill it so the next store meets ENOSPC (a full RAM disk shared with something else).
      await execa('sh', ['-c', `dd if=/dev/zero of=${mnt}/filler bs=1k count=40 2>/dev/null; true`]);
      const r = await t.run(['build']);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(/warning FE0505: cache tmpfs: .*ENOSPC/);
      const evs = await lastJournal(t.fx.dir);
      const fb = of(evs, 'cache.fallback');
      expect(fb.length).toBeGreaterThan(0);
      expect(fb[0]).toMatchObject({ tier: 'tmpfs', code: 'FE0505', fallback: 'write-through' });
      expect((await t.stats('local')).entries).toBe(9);
      rmSync(join(t.fx.dir, 'build'), { recursive: true });
      expect((await t.run(['build'])).exitCode).toBe(0);
      expect(of(await lastJournal(t.fx.dir), 'cache.hit')).toHaveLength(6);
      expect(await demo(t.fx.dir)).toBe('6*7=42');
    });
  });

  it('a corrupted index: the build falls back safely, verify reports and deletes, a second verify is clean', async () => {
    const t = setup();
    try {
      expect((await t.run(['build'])).exitCode).toBe(0);
      for (const k of readdirSync(join(t.shm, 'ac'))) writeFileSync(join(t.shm, 'ac', k), '{"v":1,"outp');
      const v = await t.run(['cache', 'verify', '--tier', 'tmpfs']);
      expect(v.exitCode).toBe(1);
      expect(v.stderr).toMatch(/error FE0506: 9 corrupt cache items found in tmpfs/);
      expect(v.stderr).not.toMatch(/\n\s+at /);
      expect((await t.run(['cache', 'verify'])).exitCode).toBe(0);
      // Now the local index: every bucket loses its tail.
      const { globSync } = await import('tinyglobby');
      for (const f of globSync('local/index-v5/**/*', { cwd: t.fx.cache, absolute: true, onlyFiles: true })) {
        const s = readFileSync(f, 'utf8');
        writeFileSync(f, s.slice(0, Math.max(0, s.length - 9)));
      }
      rmSync(join(t.fx.dir, 'build'), { recursive: true });
      expect((await t.run(['build'])).exitCode).toBe(0);
      expect(await demo(t.fx.dir)).toBe('6*7=42');
    } finally { t.fx.cleanup(); }
  });
});

describe('fester cache verify / gc on the local tier', () => {
  const t = setup();
  afterAll(() => t.fx.cleanup());

  it('verify finds a poisoned local blob, deletes it, and it is never served', async () => {
    expect((await t.run(['build'])).exitCode).toBe(0);
    expect((await t.run(['cache', 'verify'])).exitCode).toBe(0);
    const exe = readFileSync(join(t.fx.dir, 'build/host/calc-demo'));
    const hex = sha(exe);
    const blob = join(t.fx.cache, 'local/content-v2/sha256', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
    const bytes = readFileSync(blob);
    bytes[100] ^= 0xff;
    writeFileSync(blob, bytes);
    const v = await t.run(['cache', 'verify', '--tier', 'local', '--json']);
    expect(v.exitCode).toBe(1);
    const out = JSON.parse(v.stdout) as { corrupt: number; tiers: { corrupt: { digest?: string }[] }[] };
    expect(out.corrupt).toBeGreaterThanOrEqual(1);
    expect(out.tiers[0]!.corrupt.some((c) => c.digest === hex)).toBe(true);
    // RAM wiped too: the local tier must not serve the bad bytes; the program is relinked.
    rmSync(t.shm, { recursive: true });
    rmSync(join(t.fx.dir, 'build'), { recursive: true });
    expect((await t.run(['build'])).exitCode).toBe(0);
    const evs = await lastJournal(t.fx.dir);
    expect(of(evs, 'action.started').map((e) => e.action)).toEqual(['host/calc-demo']);
    expect(readFileSync(join(t.fx.dir, 'build/host/calc-demo')).equals(exe)).toBe(true);
  });

  it('gc shrinks each tier to --max-size, least recently used first', async () => {
    const before = await t.stats('local');
    expect(before.bytes).toBeGreaterThan(20 * 1024);
    const r = await t.run(['cache', 'gc', '--max-size', '20k']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/local\s+removed \d+ entries/);
    for (const tier of ['local', 'tmpfs']) {
      const s = await t.stats(tier);
      expect(s.bytes, tier).toBeLessThanOrEqual(20 * 1024);
      expect(s.entries, tier).toBeLessThan(before.entries);
    }
    // The calc-demo entry was used last (rebuilt above), so it survived: the newest stays.
    rmSync(t.shm, { recursive: true });
    rmSync(join(t.fx.dir, 'build'), { recursive: true });
    expect((await t.run(['build'])).exitCode).toBe(0);
    expect(of(await lastJournal(t.fx.dir), 'cache.hit').map((h) => h.action)).toContain('host/calc-demo');
    expect((await t.run(['cache', 'verify'])).exitCode).toBe(0);
  });

  it('bad input: a size that is not one, an unknown tier', async () => {
    const a = await t.run(['cache', 'gc', '--max-size', 'lots']);
    expect(a.exitCode).toBe(2);
    expect(a.stderr).toMatch(/^error FE0503: --max-size: "lots" is not a size/);
    const b = await t.run(['cache', 'stats', '--tier', 'nope']);
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toMatch(/error FE0504: unknown cache tier "nope"\n\s+hint: tiers enabled here: tmpfs, local/);
  });
});
