import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { btrfsLoop } from '../../../test/btrfsLoop.js';
import { fester, fixture, lastJournal } from '../../../test/helpers.js';

type Ev = { type: string; [k: string]: unknown };
const pluginEvents = (evs: Ev[], name: string) => evs.filter((e) => e.type === 'plugin.event' && e.name === name).map((e) => e.data as Record<string, unknown>);
const CONFIG = `import btrfs from '@fester/plugin-btrfs';\nexport default { plugins: [btrfs({ autoCompact: false })] };\n`;

describe('Btrfs snapshots of the out dir (real loop-mounted Btrfs)', () => {
  const fx = fixture('hello');
  let loop: Awaited<ReturnType<typeof btrfsLoop>>;
  // The Btrfs filesystem is mounted inside the project and the out dir is a subvolume on it.
  const out = () => join(fx.dir, 'vol/out');
  const exe = () => join(out(), 'host/hello');
  const run = (args: string[]) => fester(args, { cwd: fx.dir, cache: fx.cache });
  const list = async () => JSON.parse((await run(['snapshot', 'list', '--json'])).stdout) as { name: string; reason: string; green: boolean; path: string }[];

  beforeAll(async () => {
    mkdirSync(join(fx.dir, 'vol'));
    loop = await btrfsLoop(join(fx.dir, 'vol'));
    await execa('btrfs', ['subvolume', 'create', out()]);
    const yaml = join(fx.dir, 'project.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(/^out: build$/m, 'out: vol/out'));
    writeFileSync(join(fx.dir, 'festerconfig.mjs'), CONFIG);
  });
  afterAll(async () => {
    await loop?.cleanup(); // unmount first: the mount point is inside the fixture copy
    fx.cleanup();
  });

  let first = '';
  let firstBytes: Buffer;

  it('takes a snapshot after a green build, and before + after the next one', async () => {
    expect((await run(['build'])).exitCode).toBe(0);
    const evs = (await lastJournal(fx.dir)) as Ev[];
    const created = pluginEvents(evs, 'snapshot.created');
    expect(created.map((d) => d.reason)).toEqual(['after']);
    first = created[0]!.name as string;
    firstBytes = readFileSync(exe());
    const snaps = await list();
    expect(snaps).toMatchObject([{ name: first, reason: 'after', green: true }]);
    // The snapshot is a real read-only subvolume with the same bytes.
    expect((await execa('btrfs', ['property', 'get', '-ts', snaps[0]!.path, 'ro'])).stdout).toBe('ro=true');
    expect(readFileSync(join(snaps[0]!.path, 'host/hello')).equals(firstBytes)).toBe(true);

    writeFileSync(join(fx.dir, 'VERSION'), '9.9.9\n');
    expect((await run(['build'])).exitCode).toBe(0);
    const again = pluginEvents((await lastJournal(fx.dir)) as Ev[], 'snapshot.created');
    expect(again.map((d) => d.reason)).toEqual(['before', 'after']);
    expect((await execa(exe())).stdout).toBe('hello, world (v9.9.9)');
  });

  it('restore rolls the out dir back to the exact bytes, keeping the current state as a snapshot', async () => {
    const r = await run(['snapshot', 'restore', first]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(exe()).equals(firstBytes)).toBe(true);
    expect((await execa(exe())).stdout).toBe('hello, world (v1.2.3)');
    expect(statSync(out()).ino).toBe(256); // still a subvolume, still behind the symlink
    expect((await list()).map((s) => s.reason)).toContain('pre-restore');
  });

  it('snapshot cache: a wiped out dir and an empty cache come back by reflink, compiler never runs', async () => {
    writeFileSync(join(fx.dir, 'VERSION'), '1.2.3\n');
    for (const e of readdirSync(out())) rmSync(join(out(), e), { recursive: true, force: true });
    rmSync(fx.cache, { recursive: true, force: true });
    const r = await run(['build', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const evs = (await lastJournal(fx.dir)) as Ev[];
    expect(evs.filter((e) => e.type === 'action.started')).toEqual([]);
    const hits = evs.filter((e) => e.type === 'cache.hit');
    const actions = evs.find((e) => e.type === 'graph.resolved')!.actions as number;
    expect(hits.length).toBe(actions);
    expect(new Set(hits.map((e) => e.tier))).toEqual(new Set(['btrfs-snapshot']));
    expect(readFileSync(exe()).equals(firstBytes)).toBe(true);
    expect((await execa(exe())).stdout).toBe('hello, world (v1.2.3)');
  });

  it('verify passes on an intact snapshot and catches a byte changed inside one', async () => {
    const ok = await run(['snapshot', 'verify', first]);
    expect(ok.exitCode, ok.stdout + ok.stderr).toBe(0);
    const path = (await list()).find((s) => s.name === first)!.path;
    await execa('btrfs', ['property', 'set', '-ts', path, 'ro', 'false']);
    const f = join(path, 'host/hello');
    const b = readFileSync(f);
    b[b.length >> 1] ^= 0x01;
    writeFileSync(f, b);
    await execa('btrfs', ['property', 'set', '-ts', path, 'ro', 'true']);
    const bad = await run(['snapshot', 'verify', first]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toMatch(/error FE0904: snapshot \S+ does not match/);
    expect(bad.stdout).toMatch(/changed host\/hello/);
    expect(bad.stdout).not.toMatch(/changed host\/libgreet/);
    // The scratch subvolume is gone again.
    expect(readdirSync(join(path, '..')).filter((n) => n.startsWith('.verify-'))).toEqual([]);
  });

  it('a tampered snapshot is not served by the snapshot cache', async () => {
    rmSync(exe());
    rmSync(fx.cache, { recursive: true, force: true });
    expect((await run(['build'])).exitCode).toBe(0);
    const evs = (await lastJournal(fx.dir)) as Ev[];
    // Served from a later green snapshot (same key) or rebuilt; never the tampered bytes.
    expect(readFileSync(exe()).equals(firstBytes)).toBe(true);
    expect(evs.some((e) => e.type === 'cache.corrupt' && String(e.message).includes(first))
      || evs.some((e) => e.type === 'cache.hit' && e.action === 'host/hello')).toBe(true);
  });

  it('compact keeps the newest N and the newest of each recent day', async () => {
    // Spread the records over days: three today, two yesterday, one three days ago, one a week ago.
    const all = await list();
    const day = 86_400_000;
    const now = Date.now();
    const dir = join(all[0]!.path, '..');
    const extra = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'];
    for (const n of extra) expect((await run(['snapshot', 'create', n])).exitCode).toBe(0);
    const ages = [0, 1000, 2000, day, day + 1000, 3 * day, 7 * day];
    const others = (await list()).filter((s) => !extra.includes(s.name)).map((s) => s.name);
    for (const n of others) rmSync(join(dir, `${n}.json`)); // out of the policy's view: kept by nobody
    extra.forEach((n, i) => {
      const p = join(dir, `${n}.json`);
      const m = JSON.parse(readFileSync(p, 'utf8'));
      m.createdAt = now - ages[i]!;
      writeFileSync(p, JSON.stringify(m));
    });
    const r = await run(['snapshot', 'compact', '--keep-last', '2', '--keep-daily', '3', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    // newest two: c1, c2; daily: today c1, yesterday c4, three days ago c6.
    expect(plan.kept.map((k: { name: string }) => k.name).sort()).toEqual(['c1', 'c2', 'c4', 'c6']);
    expect(plan.removed.sort()).toEqual(['c3', 'c5', 'c7']);
    expect((await list()).map((s) => s.name).sort()).toEqual(['c1', 'c2', 'c4', 'c6']);
    for (const n of ['c3', 'c5', 'c7']) expect(() => statSync(join(dir, n))).toThrow();
  });

  it('an unknown snapshot name is FE0903, no stack, nothing touched', async () => {
    const before = readFileSync(exe());
    for (const cmd of [['restore', 'nope'], ['delete', 'nope'], ['verify', 'nope']]) {
      const r = await run(['snapshot', ...cmd]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/error FE0903: no snapshot named "nope"/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(readFileSync(exe()).equals(before)).toBe(true);
  });
});

describe('out dir not on Btrfs', () => {
  const fx = fixture('hello');
  afterAll(() => fx.cleanup());

  it('the build says so once, stays green, and the snapshot commands give FE0901', async () => {
    writeFileSync(join(fx.dir, 'festerconfig.mjs'), CONFIG);
    const r = await fester(['build'], { cwd: fx.dir, cache: fx.cache });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr.match(/warning FE0901/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/not Btrfs: no snapshots are taken/);
    const evs = (await lastJournal(fx.dir)) as Ev[];
    expect(pluginEvents(evs, 'inert')).toHaveLength(1);
    expect(pluginEvents(evs, 'snapshot.created')).toEqual([]);
    const l = await fester(['snapshot', 'list'], { cwd: fx.dir, cache: fx.cache });
    expect(l.exitCode).toBe(2);
    expect(l.stderr).toMatch(/error FE0901: out dir .* not Btrfs/);
    expect(l.stderr).not.toMatch(/\n\s+at /);
  });
});
