import { createServer, type Server, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fester, fixture, lastJournal } from '../../../../test/helpers.js';
import { minioConfig, S3Server } from '../../../../test/s3servers.js';

type Ev = Awaited<ReturnType<typeof lastJournal>>[number];
const warnings = (evs: Ev[]) => evs.filter((e) => e.type === 'cache.warning') as (Ev & { code: string; endpoint?: string; message: string })[];

/** A TCP proxy that holds every connection open without forwarding: a hung endpoint. */
function blackhole(host: string): Promise<{ server: Server; url: string; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => {}); });
  return new Promise((resolve) => server.listen(0, host, () => resolve({ server, sockets, url: `http://${host}:${(server.address() as { port: number }).port}` })));
}

describe('S3 tier bad input: every case is a coded warning or a coded error, never a failed build or a stack', () => {
  const base = fixture('hello');
  let good: S3Server;
  let other: S3Server;
  let hole: Awaited<ReturnType<typeof blackhole>>;
  const runs: (() => void)[] = [base.cleanup];

  beforeAll(async () => {
    good = await new S3Server('127.0.0.30', join(base.base, 's3-good')).start();
    other = await new S3Server('127.0.0.31', join(base.base, 's3-other'), ['other-bucket']).start();
    hole = await blackhole('127.0.0.32');
  });
  afterAll(async () => {
    await good?.stop();
    await other?.stop();
    for (const s of hole?.sockets ?? []) s.destroy();
    hole?.server.close();
    for (const c of runs) c();
  });

  async function build(options: Record<string, unknown>) {
    const fx = fixture('hello');
    runs.push(fx.cleanup);
    writeFileSync(join(fx.dir, 'festerconfig.mjs'), minioConfig(options));
    const r = await fester(['build'], { cwd: fx.dir, cache: fx.cache });
    return { ...r, fx, evs: r.exitCode === 0 ? await lastJournal(fx.dir) : [] };
  }

  it('unreachable endpoint: FE0520, the build goes on with the other endpoint', async () => {
    const r = await build({ endpoints: ['http://127.0.0.33:9', good.url], writeQuorum: 1 });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).not.toMatch(/\s+at /);
    expect(r.stdout).toMatch(/warning FE0520: cache minio: S3 endpoint 127\.0\.0\.33:9: .*ECONNREFUSED.*the build goes on without it/);
    expect(warnings(r.evs).map((w) => w.code)).toEqual(['FE0520']);
    expect((await good.list('ac/')).length).toBeGreaterThanOrEqual(8);
  });

  it('a hung endpoint costs at most one timeout: FE0520, the build is green', async () => {
    const t0 = Date.now();
    // 1.5 s: short for a hung server, long enough for the good s3rver on a loaded 2-core CI box.
    const r = await build({ endpoints: [hole.url, good.url], writeQuorum: 1, timeoutMs: 1500 });
    expect(r.exitCode).toBe(0);
    expect(warnings(r.evs)).toMatchObject([{ code: 'FE0520', message: expect.stringMatching(/^S3 endpoint 127\.0\.0\.32:\d+: no answer within 1500 ms/) }]);
    // Probe once (1.5 s), then its circuit stays open: no per-action timeouts.
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('wrong credentials: FE0521, that endpoint is left out', async () => {
    const r = await build({ endpoints: [{ url: good.url, accessKey: 'WRONGKEY', secretKey: 'nope' }] });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/warning FE0521: cache minio: S3 endpoint 127\.0\.0\.30:\d+: (AccessDenied|InvalidAccessKeyId)/);
    expect(warnings(r.evs).map((w) => w.code)).toEqual(['FE0521']);
    // The local tier still has everything: a second build in the same workspace is served.
    expect(r.evs.filter((e) => e.type === 'cache.stored')).toHaveLength(8);
  });

  it('missing bucket: FE0522; with createBucket: true it is created and used', async () => {
    const r = await build({ endpoints: [other.url] });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/warning FE0522: cache minio: S3 endpoint 127\.0\.0\.31:\d+: bucket "fester" does not exist/);
    const r2 = await build({ endpoints: [other.url], createBucket: true });
    expect(r2.exitCode).toBe(0);
    expect(warnings(r2.evs)).toEqual([]);
    const names: string[] = [];
    for await (const o of other.client().listObjectsV2('fester', 'ac/', true)) names.push(o.name!);
    expect(names.length).toBeGreaterThanOrEqual(8);
  });

  it('a farm of more than 3 nodes with one endpoint: FE0524 warns, or refuses by option', async () => {
    const r = await build({ endpoints: [good.url], farmSize: 5 });
    expect(r.exitCode).toBe(0);
    expect(warnings(r.evs).map((w) => w.code)).toEqual(['FE0524']);
    const refused = await build({ endpoints: [good.url], farmSize: 5, redundancy: 'refuse' });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/^error FE0524: the farm has 5 nodes but the S3 tier has a single endpoint/m);
    expect(refused.stderr).not.toMatch(/\s+at /);
    const three = await build({ endpoints: [good.url], farmSize: 3 });
    expect(warnings(three.evs)).toEqual([]);
  });

  it('invalid options name the plugin and the option', async () => {
    const q = await build({ endpoints: [good.url], writeQuorum: 2 });
    expect(q.exitCode).toBe(2);
    expect(q.stderr).toMatch(/error FE0204 .*plugin "@fester\/plugin-minio": option "writeQuorum": 2 is more than the 1 endpoint/);
    const u = await build({ endpoints: ['ftp://x'] });
    expect(u.stderr).toMatch(/option "endpoints\[0\]": "ftp:\/\/x" is not an http\(s\):\/\/host:port URL/);
  });
});
