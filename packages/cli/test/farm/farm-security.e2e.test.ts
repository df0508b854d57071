import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { signRequest } from '@fester/core';
import { fester, fixture, lastJournal } from '../../../../test/helpers.js';
import { ready, startAgent, startCoordinator, stopAll, TOKEN, waitNodes } from '../../../../test/farm.js';

const env = { FESTER_FARM_TOKEN: TOKEN };
const DIGEST = 'a'.repeat(64);

function socket(url: string, path: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}${path}`, { headers: signRequest(TOKEN, 'GET', path) });
  return new Promise((resolve, reject) => { ws.once('open', () => resolve(ws)); ws.once('error', reject); });
}

function nextFrame(ws: WebSocket, pred: (m: { type: string; [k: string]: unknown }) => boolean = () => true): Promise<{ type: string; [k: string]: unknown }> {
  return new Promise((resolve) => {
    const on = (d: WebSocket.RawData) => {
      const m = JSON.parse(String(d)) as { type: string };
      if (pred(m)) { ws.off('message', on); resolve(m); }
    };
    ws.on('message', on);
  });
}

describe('farm security and bad input', () => {
  afterAll(stopAll);

  it('refuses unsigned, wrongly signed and replayed requests, garbage and oversized frames, unknown nodes, path traversal', async () => {
    const f = fixture('hello');
    const co = await startCoordinator(f.base, { host: '127.0.0.20' });
    const put = await fetch(`${co.url}/cas/${DIGEST}`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(401);
    expect(await put.json()).toMatchObject({ code: 'FE0802' });
    const wrong = await fetch(`${co.url}/cas/missing`, { method: 'POST', body: '{"digests":[]}', headers: signRequest('another-token-0000000000', 'POST', '/cas/missing', '{"digests":[]}') });
    expect(wrong.status).toBe(401);

    const body = JSON.stringify({ digests: [DIGEST] });
    const headers = signRequest(TOKEN, 'POST', '/cas/missing', body);
    const first = await fetch(`${co.url}/cas/missing`, { method: 'POST', body, headers });
    expect(await first.json()).toEqual({ missing: [DIGEST] });
    const replay = await fetch(`${co.url}/cas/missing`, { method: 'POST', body, headers });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ code: 'FE0803' });

    const wsUnsigned = new WebSocket(`${co.url.replace('http', 'ws')}/ws/agent`);
    const refusedStatus = await new Promise<number>((r) => wsUnsigned.once('unexpected-response', (_q, res) => r(res.statusCode ?? 0)));
    expect(refusedStatus).toBe(401);

    const ws = await socket(co.url, '/ws/agent');
    ws.send('this is not json');
    expect(await nextFrame(ws)).toMatchObject({ type: 'error', code: 'FE0804' });
    ws.send(JSON.stringify({ type: 'heartbeat', t0: 1, load: 0, temps: [], running: 0 }));
    expect(await nextFrame(ws)).toMatchObject({ type: 'error', code: 'FE0806' });
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('x'.repeat(5 * 1024 * 1024));
    expect(await closed).toBe(1009);
    expect((await fetch(`${co.url}/healthz`)).status, 'the coordinator is still up').toBe(200);

    // A task whose input escapes its action directory: the agent refuses it before running anything.
    startAgent(f.base, co.url, 'victim', { args: ['--targets', 'host'] });
    await waitNodes(co.url, ready(['victim']));
    const client = await socket(co.url, '/ws/client');
    const task = { action: 'evil', kind: 'custom', target: 'host', toolchain: '', argv: ['sh', '-c', 'cat ../../x > out'], env: {}, cwd: '.',
      files: [{ path: '../../outside.txt', digest: DIGEST, mode: 0o644 }], dirs: [], outputs: ['out'], project: 'evil' };
    client.send(JSON.stringify({ type: 'run', req: 'r1', node: 'victim', task }));
    const res = await nextFrame(client, (m) => m.type === 'result' || m.type === 'failed');
    expect(JSON.stringify(res)).toContain('FE0807');
    client.send(JSON.stringify({ type: 'run', req: 'r2', node: 'nobody', task }));
    expect(await nextFrame(client, (m) => m.type === 'failed')).toMatchObject({ code: 'FE0806' });
    client.close();

    const events = await import('@fester/core').then(async ({ readJournal }) => {
      const { readdirSync } = await import('node:fs');
      const dir = join(f.base, 'coordinator', 'sessions');
      return readJournal(join(dir, readdirSync(dir)[0]!)).events;
    });
    const codes = events.filter((e) => e.type === 'farm.rejected').map((e) => (e as { code: string }).code);
    expect(codes).toEqual(expect.arrayContaining(['FE0802', 'FE0803', 'FE0804', 'FE0806']));
    f.cleanup();
  });

  it('a coordinator URL that does not answer is FE0801, exit 3', async () => {
    const f = fixture('hello');
    const r = await fester(['build', '--farm', 'http://127.0.0.21:9'], { cwd: f.dir, cache: f.cache, env });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('FE0801');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    f.cleanup();
  });

  it('mTLS: farm certificates work, a certificate of another CA is refused', async () => {
    const f = fixture('hello');
    const good = join(f.base, 'farm-a');
    const other = join(f.base, 'farm-b');
    for (const d of [good, other]) expect((await fester(['farm', 'init', '--dir', d, '--host', '127.0.0.22'], { cwd: f.base, cache: f.cache })).exitCode).toBe(0);
    const co = await startCoordinator(f.base, { host: '127.0.0.22', args: ['--tls', good], env: { FESTER_FARM_TOKEN: '' } });
    expect(co.url).toMatch(/^https:/);
    startAgent(f.base, co.url, 'tls1', { args: ['--targets', 'host', '--tls', good, '--cert-name', 'agent'] });
    const list = async (dir: string) => fester(['node', 'list', '--json', '--farm', co.url, '--tls', dir], { cwd: f.dir, cache: f.cache, env: { FESTER_FARM_TOKEN: '' } });
    const end = Date.now() + 30_000;
    let table: { id: string; state: string }[] = [];
    while (Date.now() < end) {
      const l = await list(good);
      expect(l.exitCode, l.stderr).toBe(0);
      table = JSON.parse(l.stdout) as typeof table;
      if (table.some((n) => n.id === 'tls1' && n.state === 'ready')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(table.find((n) => n.id === 'tls1')?.state).toBe('ready');
    const b = await fester(['build', '--farm', co.url, '--tls', good], { cwd: f.dir, cache: f.cache, env: { FESTER_FARM_TOKEN: '' } });
    expect(b.exitCode, b.stderr).toBe(0);
    expect((await lastJournal(f.dir)).filter((e) => e.type === 'action.started').every((e) => (e as { node: string }).node === 'tls1')).toBe(true);
    const bad = await list(other);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toMatch(/FE0814|FE0801/);
    f.cleanup();
  });
});
