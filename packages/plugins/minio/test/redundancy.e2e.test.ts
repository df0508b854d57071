import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fester, festerSpawn, fixture, lastJournal, REPO } from '../../../../test/helpers.js';
import { minioConfig, startS3Servers, type S3Server } from '../../../../test/s3servers.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
type Ev = Awaited<ReturnType<typeof lastJournal>>[number];
const ofType = (evs: Ev[], t: string) => evs.filter((e) => e.type === t) as (Ev & Record<string, unknown>)[];

/** A fresh checkout of `name` (empty local cache) whose festerconfig points at the servers. */
function workspace(name: string, servers: S3Server[], extra: Record<string, unknown> = {}) {
  const fx = fixture(name);
  writeFileSync(join(fx.dir, 'festerconfig.mjs'), minioConfig({ endpoints: servers.map((s) => s.url), breakerCooldownMs: 60_000, ...extra }));
  return fx;
}

describe('S3 tier over three real S3 servers', () => {
  let servers: S3Server[];
  const cleanups: (() => void)[] = [];
  const ws = (name: string, extra?: Record<string, unknown>) => {
    const fx = workspace(name, servers, extra);
    cleanups.push(fx.cleanup);
    return fx;
  };

  beforeAll(async () => {
    const base = fixture('hello');
    cleanups.push(base.cleanup);
    servers = await startS3Servers(join(base.base, 's3'), 3);
  });
  afterAll(async () => {
    await Promise.all(servers?.map((s) => s.stop()) ?? []);
    for (const c of cleanups) c();
  });

  it('writes every entry to all endpoints; a fresh workspace then builds with 100% hits and no compiler run', async () => {
    const a = ws('hello');
    const first = await fester(['build'], { cwd: a.dir, cache: a.cache });
    expect(first.exitCode).toBe(0);
    const stored = ofType(await lastJournal(a.dir), 'cache.stored').length;
    expect(stored).toBe(8);
    for (const s of servers) expect((await s.list('ac/')).length).toBeGreaterThanOrEqual(stored);

    const b = ws('hello');
    const r = await fester(['build'], { cwd: b.dir, cache: b.cache });
    expect(r.exitCode).toBe(0);
    const evs = await lastJournal(b.dir);
    expect(ofType(evs, 'action.started')).toEqual([]);
    const hits = ofType(evs, 'cache.hit');
    expect(hits).toHaveLength(8);
    expect(hits.every((h) => h.tier === 'minio')).toBe(true);
    expect((await execa(join(b.dir, 'build/host/hello'))).stdout).toBe('hello, world (v1.2.3)');
  });

  it('one endpoint killed mid-build: the build stays green and every entry reaches the quorum', async () => {
    const c = ws('zlib');
    const victim = servers[2]!;
    const before = (await victim.list('ac/')).length;
    const run = festerSpawn(['build', '-j', '2'], { cwd: c.dir, cache: c.cache });
    // Kill it once it has taken a few of this build's entries (bounded: 60 s).
    for (let i = 0; i < 1200 && (await victim.list('ac/')).length < before + 3; i++) await new Promise((r) => setTimeout(r, 50));
    await victim.stop();
    const r = await run;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const evs = await lastJournal(c.dir);
    const warnings = ofType(evs, 'cache.warning');
    expect(warnings.some((w) => w.code === 'FE0520' && w.endpoint === `${victim.host}:${victim.port}`)).toBe(true);
    expect(warnings.filter((w) => w.code === 'FE0523')).toEqual([]);
    expect(ofType(evs, 'build.finished')[0]).toMatchObject({ status: 'success' });
    // The two survivors hold every entry of this build.
    const keys = ofType(evs, 'cache.stored').map((e) => `ac/${e.key as string}`);
    for (const s of servers.slice(0, 2)) {
      const names = new Set(await s.list('ac/'));
      for (const k of keys) expect(names.has(k), `${k} on ${s.url}`).toBe(true);
    }
  });

  it('after it comes back, a read repairs it: it alone can then serve a fresh workspace', async () => {
    const victim = servers[2]!;
    await victim.start();
    // It did miss entries while it was down.
    const had = new Set(await victim.list('ac/'));
    expect((await servers[0]!.list('ac/')).filter((k) => !had.has(k)).length).toBeGreaterThan(0);
    const d = ws('zlib');
    const r = await fester(['build'], { cwd: d.dir, cache: d.cache });
    expect(r.exitCode).toBe(0);
    const evs = await lastJournal(d.dir);
    expect(ofType(evs, 'action.started')).toEqual([]);
    const repairs = ofType(evs, 'plugin.event').filter((e) => e.name === 'read-repair');
    expect(repairs.length).toBeGreaterThan(0);
    expect(repairs.every((e) => (e.data as { endpoint: string }).endpoint === `${victim.host}:${victim.port}`)).toBe(true);
    // Repairs finished before the build was reported done (sync barrier).
    const barrier = ofType(evs, 'cache.barrier')[0]!;
    expect(repairs.every((e) => e.seq < barrier.seq)).toBe(true);
    const onVictim = new Set(await victim.list());
    for (const n of await servers[0]!.list()) expect(onVictim.has(n), n).toBe(true);

    // Proof: with the two others down, the repaired endpoint alone serves every action.
    await servers[0]!.stop();
    await servers[1]!.stop();
    const e = ws('zlib');
    const r2 = await fester(['build'], { cwd: e.dir, cache: e.cache });
    expect(r2.exitCode).toBe(0);
    expect(r2.stdout).toMatch(/warning FE0520: cache minio: S3 endpoint 127\.0\.0\.20:\d+: .*the build goes on without it/);
    const evs2 = await lastJournal(e.dir);
    expect(ofType(evs2, 'action.started')).toEqual([]);
    expect(ofType(evs2, 'cache.hit').every((h) => h.tier === 'minio')).toBe(true);
  });

  it('quorum unmet (two of three down): the build succeeds but warns for every entry it stored', async () => {
    const f = ws('hello');
    writeFileSync(join(f.dir, 'VERSION'), '9.9.9\n');
    const r = await fester(['build'], { cwd: f.dir, cache: f.cache });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/warning FE0523: cache minio: entry stored on 1 of 3 S3 endpoints, fewer than the write quorum of 2/);
    const evs = await lastJournal(f.dir);
    const stored = ofType(evs, 'cache.stored').map((e) => e.key);
    expect(stored.length).toBeGreaterThan(0);
    const unmet = ofType(evs, 'cache.warning').filter((w) => w.code === 'FE0523').map((w) => w.key);
    for (const k of stored) expect(unmet).toContain(k);
    expect((await execa(join(f.dir, 'build/host/hello'))).stdout).toBe('hello, world (v9.9.9)');
    await servers[0]!.start();
    await servers[1]!.start();
  });

  it('a poisoned blob (right name, wrong bytes) on every replica is detected, deleted, never served', async () => {
    const g = ws('hello');
    expect((await fester(['build'], { cwd: g.dir, cache: g.cache })).exitCode).toBe(0);
    const good = readFileSync(join(g.dir, 'build/host/hello'));
    const name = `cas/${sha(good)}`;
    const poison = Buffer.from(good);
    poison[poison.length >> 1] ^= 0xff;
    for (const s of servers) await s.write(name, poison);

    const h = ws('hello');
    const r = await fester(['build'], { cwd: h.dir, cache: h.cache });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/warning( FE0501)?: corrupt minio cache entry/);
    const evs = await lastJournal(h.dir);
    const corrupt = ofType(evs, 'cache.corrupt');
    expect(corrupt.length).toBeGreaterThanOrEqual(1);
    expect(corrupt.every((c) => c.tier === 'minio' && c.digest === sha(good))).toBe(true);
    expect(ofType(evs, 'action.started').map((e) => e.action)).toEqual(['host/hello']);
    expect(ofType(evs, 'cache.miss').find((m) => m.action === 'host/hello')).toMatchObject({ reason: 'corrupt-entry' });
    expect(readFileSync(join(h.dir, 'build/host/hello')).equals(good)).toBe(true);
    // The rebuild wrote the right bytes back under the digest on every endpoint.
    for (const s of servers) expect(sha(await s.read(name))).toBe(sha(good));
  });

  it('a poisoned action entry is detected and dropped; the action rebuilds', async () => {
    const j = ws('hello');
    expect((await fester(['build'], { cwd: j.dir, cache: j.cache })).exitCode).toBe(0);
    const hit = ofType(await lastJournal(j.dir), 'cache.hit').find((e) => e.action === 'host/hello')!;
    for (const s of servers) await s.write(`ac/${hit.key as string}`, Buffer.from('{"v":1,"outputs":[{"path":"x","digest":"not-a-digest"}]}'));
    const k = ws('hello');
    const r = await fester(['build'], { cwd: k.dir, cache: k.cache });
    expect(r.exitCode).toBe(0);
    const evs = await lastJournal(k.dir);
    expect(ofType(evs, 'cache.corrupt').some((c) => c.tier === 'minio' && c.key === hit.key && /action entry/.test(c.message as string))).toBe(true);
    expect(ofType(evs, 'action.started').map((e) => e.action)).toEqual(['host/hello']);
    expect((await execa(join(k.dir, 'build/host/hello'))).stdout).toBe('hello, world (v1.2.3)');
  });
  it('fester cache stats|verify see the tier: verify deletes a poisoned replica', async () => {
    const w = ws('hello');
    const stats = await fester(['cache', 'stats', '--tier', 'minio', '--json'], { cwd: w.dir, cache: w.cache });
    expect(stats.exitCode, stats.stderr).toBe(0);
    const [row] = JSON.parse(stats.stdout) as { tier: string; entries: number; blobs: number }[];
    expect(row).toMatchObject({ tier: 'minio' });
    expect(row!.entries).toBeGreaterThanOrEqual(8);
    const name = (await servers[1]!.list('cas/'))[0]!;
    await servers[1]!.write(name, Buffer.from('rotten'));
    const v = await fester(['cache', 'verify', '--tier', 'minio'], { cwd: w.dir, cache: w.cache });
    expect(v.exitCode).toBe(1);
    expect(v.stderr).toMatch(/error FE0506/);
    expect(v.stdout).toMatch(/does not match its digest/);
    expect(await servers[1]!.list('cas/')).not.toContain(name);
    expect(await servers[0]!.list('cas/')).toContain(name);
  });
});
