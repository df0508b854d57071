import { createServer, get as httpGet, type IncomingHttpHeaders, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Compiler } from '../../src/Compiler.js';
import { apiService } from '../../src/api/apiPlugin.js';

const N = 10_000;

/** A session of one 10k-action build, written in one go (as the Journal's batches would). */
function writeSession(dir: string, session: string, t0: number, failAt?: number): string {
  const build = `${session}.1`;
  const lines: string[] = [];
  let seq = 0;
  let ts = t0;
  const ev = (p: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    lines.push(JSON.stringify({ seq: ++seq, ts: ts++, session, ...(p.type === 'session.started' ? {} : { build }), ...extra, ...p }));
    return seq;
  };
  ev({ type: 'session.started', version: '0.1.0', cwd: '/tmp', pid: process.pid });
  ev({ type: 'build.started', file: '/src/big/project.yaml', targets: [], jobs: 2, nodes: ['local'] });
  ev({ type: 'toolchain.resolved', target: 'host', digest: 'a'.repeat(64), version: 'gcc 12.2.0', tools: {} });
  ev({ type: 'graph.resolved', project: 'big', actions: N, edges: N, artifacts: ['big'], targets: ['host'], durationMs: 1 });
  let failSeq = 0;
  for (let i = 0; i < N; i++) {
    const action = `host/obj/big/src/f${i}.c.o`;
    const failed = i === failAt;
    ev({ type: 'cache.miss', action, key: 'k'.repeat(64), reason: failed ? 'inputs-changed' : 'no-previous-build', changed: failed ? [{ path: `src/f${i}.c`, before: '1'.repeat(64), after: '2'.repeat(64) }] : [] });
    ev({ type: 'action.queued', action, kind: 'compile', target: 'host' });
    ev({ type: 'action.started', action, node: 'local', argv: ['gcc', '-O2', '-c', `src/f${i}.c`, '-o', `build/host/obj/big/src/f${i}.c.o`], cwd: '.' });
    const s = failed
      ? ev({ type: 'action.finished', action, node: 'local', exitCode: 1, durationMs: 20, status: 'failed', stderr: `src/f${i}.c:1:1: error: boom`, infrastructure: false, message: 'exit code 1' })
      : ev({ type: 'action.finished', action, node: 'local', exitCode: 0, durationMs: 20, status: 'success', outputs: [{ path: `build/host/obj/big/src/f${i}.c.o`, digest: 'd'.repeat(64) }], headers: ['include/big.h'] });
    if (failed) failSeq = s;
  }
  ev({ type: 'build.finished', status: failAt === undefined ? 'success' : 'failed', durationMs: 1000, counts: {} }, failSeq ? { causes: [failSeq] } : {});
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${session}.jsonl`), `${lines.join('\n')}\n`);
  return build;
}

describe('API on a 10k-action build', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'fester-perf-'));
  const dir = join(tmp, 'sessions');
  let server: Server;
  let base = '';
  let compiler: Compiler;
  let failed = '';
  const green = '20261125T090000000Z-green0';
  const broken = '20261125T100000000Z-broken';

  beforeAll(async () => {
    writeSession(dir, green, Date.UTC(2026, 10, 25, 9));
    failed = writeSession(dir, broken, Date.UTC(2026, 10, 25, 10), 7777);
    compiler = new Compiler({ config: { plugins: [] }, cacheDir: join(tmp, 'cache') });
    const api = apiService(compiler)!;
    api.followOwnSession = false;
    api.addSessionDir(dir);
    server = createServer((req, res) => { void compiler.routes.handle(req, res); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(tmp, { recursive: true, force: true });
  });

  const get = async (path: string) => {
    const r = await fetch(base + path);
    return { status: r.status, text: await r.text() };
  };

  // Timings live in the bench (bench/cases/api.mjs, `node bench/run.mjs --case api`): here only what the answers say.
  it('answers every endpoint about a 10k-action build, and the autopsy finds the one failure', async () => {
    const paths = [
      '/api/builds',
      `/api/builds/${failed}`,
      `/api/graph/${failed}`,
      `/api/graph/${failed}?action=host/obj/big/src/f7777.c.o`,
      `/api/explain/${failed}/host/obj/big/src/f7777.c.o`,
      `/api/replay/${broken}?from=20000&to=21000`,
      '/api/nodes',
    ];
    for (const p of paths) expect((await get(p)).status, p).toBe(200);
    const b = JSON.parse((await get(`/api/builds/${failed}`)).text);
    expect(b.actionList).toHaveLength(N);
    expect(b.counts.failed).toBe(1);
    expect(JSON.parse((await get(`/api/replay/${broken}?from=20000&to=21000`)).text).count).toBe(1001);
    const autopsy = JSON.parse((await get(`/api/autopsy/${failed}`)).text);
    expect(autopsy.rootCauses[0].action).toBe('host/obj/big/src/f7777.c.o');
    expect(autopsy.sinceGreen.inputs.map((i: { path: string }) => i.path)).toEqual(['src/f7777.c']);
  });

  it('compresses big answers for clients that accept gzip, and only for them', async () => {
    const raw = (path: string, encoding?: string) => new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      httpGet(base + path, { headers: encoding ? { 'accept-encoding': encoding } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject);
    });
    for (const path of [`/api/builds/${failed}`, `/api/replay/${broken}`]) {
      const plain = await raw(path);
      expect(plain.headers['content-encoding'], path).toBeUndefined();
      const zipped = await raw(path, 'gzip, deflate');
      expect(zipped.headers['content-encoding'], path).toBe('gzip');
      expect(zipped.body.length, path).toBeLessThan(plain.body.length / 5);
      expect(gunzipSync(zipped.body).equals(plain.body), path).toBe(true);
    }
    // Small answers stay plain: compressing them costs more than it saves.
    expect((await raw('/api/builds?limit=1', 'gzip')).headers['content-encoding']).toBeUndefined();
  });

  it('serves the whole 40k-event timeline, each event once and in order', async () => {
    const body = JSON.parse((await get(`/api/replay/${broken}`)).text);
    expect(body.count).toBe(4 * N + 5);
    const seqs = body.events.map((e: { seq: number }) => e.seq);
    expect(seqs[0]).toBe(1);
    expect(seqs.every((s: number, i: number) => s === i + 1)).toBe(true);
  });
});
