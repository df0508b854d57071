import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveSessionDir } from './serveRoutes.js';
// Plain ESM without types, shared with the API bench.
import { writeApiSession } from '../../../../bench/gen/apiJournal.mjs';

const N = 10_000;

/** A session of one 10k-action build, as the API bench writes it (the same generator). */
function writeSession(dir: string, session: string, t0: number, failAt?: number): string {
  return writeApiSession(dir, session, { t0, actions: N, failAt, pid: process.pid }).build;
}

describe('API on a 10k-action build', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'fester-perf-'));
  const dir = join(tmp, 'sessions');
  let served: Awaited<ReturnType<typeof serveSessionDir>>;
  let base = '';
  let failed = '';
  const green = '20261125T090000000Z-green0';
  const broken = '20261125T100000000Z-broken';

  beforeAll(async () => {
    writeSession(dir, green, Date.UTC(2026, 10, 25, 9));
    failed = writeSession(dir, broken, Date.UTC(2026, 10, 25, 10), 7777);
    served = await serveSessionDir(dir, tmp);
    base = served.base;
  });
  afterAll(async () => {
    await served.close();
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
