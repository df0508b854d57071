import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { signRequest } from '@fester/core';
import { fester, fixture, lastJournal } from '../../../../test/helpers.js';
import { ready, startAgent, startCoordinator, stopAll, TOKEN, waitNodes } from '../../../../test/farm.js';

const env = { FESTER_FARM_TOKEN: TOKEN };

function lines(path: string): { seq: number; type: string }[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; type: string });
}

describe('farm journal mirror', () => {
  afterAll(stopAll);

  it('the coordinator keeps a copy of each farm build\'s journal and serves the build in its API', async () => {
    const f = fixture('hello');
    const dataDir = join(f.base, 'coord');
    const co = await startCoordinator(f.base, { host: '127.0.0.21', dataDir });
    startAgent(f.base, co.url, 'm1', { args: ['--targets', 'host'] });
    await waitNodes(co.url, ready(['m1']));
    const r = await fester(['build', '--farm', co.url], { cwd: f.dir, cache: f.cache, env });
    expect(r.exitCode, r.stderr).toBe(0);

    const mine = await lastJournal(f.dir);
    const session = mine[0]!.session;
    const copy = join(dataDir, 'sessions', `${session}.jsonl`);
    // Best effort but prompt: the last batch is flushed before the client exits.
    expect(existsSync(copy)).toBe(true);
    expect(lines(copy).map((e) => `${e.seq} ${e.type}`)).toEqual(mine.map((e) => `${e.seq} ${e.type}`));

    const res = await fetch(`${co.url}/api/builds?session=${session}`);
    const body = await res.json() as { builds: { id: string; status: string; project: string }[] };
    expect(body.builds).toEqual([expect.objectContaining({ id: `${session}.1`, status: 'success', project: 'hello' })]);
    f.cleanup();
  });

  it('refuses a batch that names a path, the coordinator\'s own session or another session\'s events', async () => {
    const f = fixture('hello');
    const dataDir = join(f.base, 'coord');
    const co = await startCoordinator(f.base, { host: '127.0.0.22', dataDir });
    const ws = new WebSocket(`${co.url.replace('http', 'ws')}/ws/client`, { headers: signRequest(TOKEN, 'GET', '/ws/client') });
    await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
    const errors: { code: string; message: string }[] = [];
    ws.on('message', (d) => { const m = JSON.parse(String(d)) as { type: string; code: string; message: string }; if (m.type === 'error') errors.push(m); });
    const own = readdirSync(join(dataDir, 'sessions')).find((n) => n.endsWith('.jsonl'))!.slice(0, -6);
    const ev = (session: string, seq = 1) => ({ seq, ts: Date.now(), session, type: 'session.started' });
    ws.send(JSON.stringify({ type: 'journal', session: '../escape', events: [ev('../escape')] }));
    ws.send(JSON.stringify({ type: 'journal', session: own, events: [ev(own, 999)] }));
    // Two refusals so far; a third would close the socket, so the last one is checked on its own.
    for (let i = 0; i < 100 && errors.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(errors.map((e) => e.code)).toEqual(['FE0804', 'FE0804']);
    expect(errors[1]!.message).toContain('own session');
    ws.send(JSON.stringify({ type: 'journal', session: 'client-a', events: [ev('client-b')] }));
    for (let i = 0; i < 100 && errors.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(errors[2]).toMatchObject({ code: 'FE0804' });
    expect(existsSync(join(dataDir, 'escape.jsonl'))).toBe(false);
    expect(readFileSync(join(dataDir, 'sessions', `${own}.jsonl`), 'utf8')).not.toContain('"seq":999');
    ws.close();
    f.cleanup();
  });

  it('--keep-sessions: the oldest journals go at start and when a new build session arrives, each listed in journal.pruned', async () => {
    const f = fixture('hello');
    const dataDir = join(f.base, 'coord');
    const sessions = join(dataDir, 'sessions');
    mkdirSync(sessions, { recursive: true });
    const old = ['20200101T000000000Z-aaaaaa', '20200102T000000000Z-bbbbbb', '20200103T000000000Z-cccccc'];
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    for (const id of old) {
      writeFileSync(join(sessions, `${id}.jsonl`), `${JSON.stringify({ seq: 1, ts: 0, session: id, type: 'session.started' })}\n`);
      utimesSync(join(sessions, `${id}.jsonl`), twoHoursAgo, twoHoursAgo);
    }
    const co = await startCoordinator(f.base, { host: '127.0.0.23', dataDir, args: ['--keep-sessions', '2'] });
    const own = readdirSync(sessions).map((n) => n.slice(0, -6)).find((id) => !old.includes(id))!;
    // Kept: its own session and the newest old one.
    expect(readdirSync(sessions).sort()).toEqual([`${old[2]}.jsonl`, `${own}.jsonl`]);
    const ws = new WebSocket(`${co.url.replace('http', 'ws')}/ws/client`, { headers: signRequest(TOKEN, 'GET', '/ws/client') });
    await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
    const client = '20991231T000000000Z-dddddd';
    ws.send(JSON.stringify({ type: 'journal', session: client, events: [{ seq: 1, ts: Date.now(), session: client, type: 'session.started' }] }));
    const path = join(sessions, `${own}.jsonl`);
    const pruned = () => (existsSync(path) ? lines(path) : []).filter((e) => e.type === 'journal.pruned') as unknown as { sessions: string[]; keep: number }[];
    for (let i = 0; i < 200 && pruned().length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    expect(pruned().map((e) => [e.keep, e.sessions])).toEqual([[2, [old[0], old[1]]], [2, [old[2]]]]);
    expect(readdirSync(sessions).sort()).toEqual([`${own}.jsonl`, `${client}.jsonl`].sort());
    ws.close();
    f.cleanup();
  });

  it('--keep-sessions that is not a number is a coded error', async () => {
    const f = fixture('hello');
    const r = await fester(['coordinator', '--listen', '127.0.0.24:0', '--data-dir', join(f.base, 'c'), '--keep-sessions', 'some'], { cwd: f.base, cache: f.cache, env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error FE0103: --keep-sessions "some"/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    f.cleanup();
  });
});
