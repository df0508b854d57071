import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../../test/helpers.js';
import { startServe, type RunningServe } from '../../../test/cacheServe.js';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const TOKEN = 'serve-test-token';
const blobPath = (cache: string, hex: string) => join(cache, 'local/content-v2/sha256', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));

describe('fester cache serve: the bazel-remote HTTP protocol on the local tier', () => {
  const fx = fixture('hello');
  let srv: RunningServe;
  beforeAll(async () => { srv = await startServe(fx.cache, fx.dir, TOKEN, '127.0.0.40'); });
  afterAll(async () => { await srv?.stop(); fx.cleanup(); });

  const put = (path: string, body: string | Buffer, auth?: string) =>
    fetch(`${srv.url}${path}`, { method: 'PUT', body, headers: auth ? { authorization: auth } : {} });

  it('GET/HEAD/PUT on /cas and /ac; writes need the token (bearer or basic), reads do not', async () => {
    const body = Buffer.from('some object file bytes');
    const h = sha(body);
    expect((await fetch(`${srv.url}/cas/${h}`)).status).toBe(404);
    expect((await put(`/cas/${h}`, body)).status).toBe(401);
    expect((await put(`/cas/${h}`, body, 'Bearer wrong')).status).toBe(401);
    expect((await fetch(`${srv.url}/cas/${h}`)).status).toBe(404);
    expect((await put(`/cas/${h}`, body, `Bearer ${TOKEN}`)).status).toBe(200);
    const got = await fetch(`${srv.url}/cas/${h}`);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(body)).toBe(true);
    const head = await fetch(`${srv.url}/cas/${h}`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length')]).toEqual([200, String(body.length)]);
    // AC values are opaque (an ActionResult proto, a ccache result): stored as given.
    const ac = sha('action');
    const basic = `Basic ${Buffer.from(`bazel:${TOKEN}`).toString('base64')}`;
    expect((await put(`/ac/${ac}`, 'opaque action result', basic)).status).toBe(200);
    expect(await (await fetch(`${srv.url}/ac/${ac}`)).text()).toBe('opaque action result');
    // bazel-remote's instance-name prefix is accepted.
    expect((await fetch(`${srv.url}/main/ac/${ac}`)).status).toBe(200);
    expect((await fetch(`${srv.url}/ac/nothex`)).status).toBe(404);
  });

  it('a PUT to /cas whose body does not hash to its name is refused with 400 and not stored', async () => {
    const h = sha('the real bytes');
    const r = await put(`/cas/${h}`, 'other bytes', `Bearer ${TOKEN}`);
    expect(r.status).toBe(400);
    expect(await r.text()).toMatch(/does not match its sha256/);
    expect((await fetch(`${srv.url}/cas/${h}`)).status).toBe(404);
  });

  it('a blob corrupted on disk is never served: 404, removed, warned', async () => {
    const body = Buffer.from('bytes that will rot on disk');
    const h = sha(body);
    expect((await put(`/cas/${h}`, body, `Bearer ${TOKEN}`)).status).toBe(200);
    const p = blobPath(fx.cache, h);
    const bytes = readFileSync(p);
    bytes[0] ^= 0xff;
    writeFileSync(p, bytes);
    expect((await fetch(`${srv.url}/cas/${h}`)).status).toBe(404);
    expect((await fetch(`${srv.url}/cas/${h}`)).status).toBe(404);
  });

  it('ccache (layout=bazel): a second clean build with a fresh CCACHE_DIR hits the remote', async () => {
    const src = join(fx.base, 'cc');
    mkdirSync(src, { recursive: true });
    for (let i = 0; i < 4; i++) writeFileSync(join(src, `f${i}.c`), `#include <stdio.h>\nint f${i}(void) { return printf("%d", ${i}); }\n`);
    const run = async (dir: string, token: string) => {
      const env = { CCACHE_DIR: join(fx.base, dir), CCACHE_CONFIGPATH: '/dev/null', CCACHE_REMOTE_STORAGE: `http://ccache:${token}@${srv.host}:${srv.port}|layout=bazel` };
      await execa('ccache', ['-z'], { env });
      for (let i = 0; i < 4; i++) await execa('ccache', ['gcc', '-O2', '-c', `f${i}.c`, '-o', `f${i}.${dir}.o`], { cwd: src, env });
      const stats = Object.fromEntries((await execa('ccache', ['--print-stats'], { env })).stdout.split('\n').map((l) => l.split('\t')).map(([k, v]) => [k, Number(v)]));
      return stats as Record<string, number>;
    };
    const unauth = await run('ccache-x', 'wrong-token');
    expect(unauth.remote_storage_hit).toBe(0);
    const first = await run('ccache-a', TOKEN);
    expect(first.remote_storage_hit).toBe(0);
    expect(first.remote_storage_write).toBeGreaterThanOrEqual(4);
    const second = await run('ccache-b', TOKEN);
    expect(second.remote_storage_hit).toBe(4);
    expect(second.cache_miss).toBe(0);
    for (let i = 0; i < 4; i++) expect(readFileSync(join(src, `f${i}.ccache-b.o`)).equals(readFileSync(join(src, `f${i}.ccache-a.o`)))).toBe(true);
  });
});
