import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Compiler } from '../../src/Compiler.js';
import { serveSessionDir } from './serveRoutes.js';
import { SyntheticSession } from './syntheticJournal.js';

/** The API over hand-written journals, through a real HTTP server mounting compiler.routes. */
describe('HTTP API', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'fester-api-'));
  const dir = join(tmp, '.fester', 'sessions');
  const s1 = new SyntheticSession(dir, '20261125T100000000Z-aaaaaa');
  const s2 = new SyntheticSession(dir, '20261125T110000000Z-bbbbbb', Date.UTC(2026, 10, 25, 11));
  let served: Awaited<ReturnType<typeof serveSessionDir>>;
  let base = '';
  let compiler: Compiler;
  let failSeq = 0;

  beforeAll(async () => {
    // Session 1: a green build. Session 2: a failed build (b.c breaks, its user is skipped).
    s1.startBuild('demo', 2);
    s1.run('host/a.c.o');
    s1.run('host/b.c.o');
    s1.finish('success');
    s2.startBuild('demo', 3);
    s2.run('host/a.c.o');
    const f = s2.run('host/b.c.o', { fail: 'b.c:1:1: error: expected ; before }\n', changed: [{ path: 'b.c', before: '1'.repeat(64), after: '2'.repeat(64) }] });
    failSeq = f.seq;
    s2.emit({ type: 'action.skipped', action: 'host/app', because: 'host/b.c.o' }, { causes: [f.seq] });
    s2.finish('failed', [f.seq]);
    served = await serveSessionDir(dir, tmp);
    ({ compiler, base } = served);
  });
  afterAll(async () => {
    await served.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const get = async (path: string) => {
    const r = await fetch(base + path);
    return { status: r.status, body: await r.json() as any };
  };

  it('lists builds newest first with their summaries', async () => {
    const { status, body } = await get('/api/builds');
    expect(status).toBe(200);
    expect(body.total).toBe(2);
    expect(body.builds.map((b: any) => [b.id, b.status, b.project])).toEqual([
      [`${s2.session}.1`, 'failed', 'demo'],
      [`${s1.session}.1`, 'success', 'demo'],
    ]);
    expect(body.builds[0].counts).toMatchObject({ built: 1, failed: 1, skipped: 1 });
    expect((await get('/api/builds?status=success')).body.builds).toHaveLength(1);
    expect((await get('/api/builds?limit=1&offset=1')).body.builds[0].id).toBe(`${s1.session}.1`);
  });

  it('gives one build with its actions', async () => {
    const { body } = await get(`/api/builds/${s2.session}.1`);
    expect(body.status).toBe('failed');
    const states = Object.fromEntries(body.actionList.map((a: any) => [a.id, a.state]));
    expect(states).toEqual({ 'host/a.c.o': 'built', 'host/b.c.o': 'failed', 'host/app': 'skipped' });
  });

  it('answers unknown ids with 404 and a code, bad parameters with 400', async () => {
    expect(await get('/api/builds/nope')).toMatchObject({ status: 404, body: { code: 'FE1101' } });
    expect(await get('/api/autopsy/nope')).toMatchObject({ status: 404, body: { code: 'FE1101' } });
    expect(await get('/api/graph/nope')).toMatchObject({ status: 404, body: { code: 'FE1101' } });
    expect(await get('/api/replay/nope')).toMatchObject({ status: 404, body: { code: 'FE1102' } });
    expect(await get(`/api/explain/${s2.session}.1/nope.c.o`)).toMatchObject({ status: 404, body: { code: 'FE1103' } });
    expect(await get('/api/bilds')).toMatchObject({ status: 404, body: { code: 'FE1105' } });
    expect(await get(`/api/replay/${s2.session}?from=abc`)).toMatchObject({ status: 400, body: { code: 'FE1104' } });
    expect(await get(`/api/replay/${s2.session}?from=5&to=2`)).toMatchObject({ status: 400, body: { code: 'FE1104' } });
    expect(await get(`/api/replay/${s2.session}?form=5`)).toMatchObject({ status: 400, body: { code: 'FE1104' } });
    expect(await get('/api/builds?limit=0')).toMatchObject({ status: 400, body: { code: 'FE1104' } });
    expect(await get('/api/builds?status=broken')).toMatchObject({ status: 400, body: { code: 'FE1104' } });
    expect(await get(`/api/graph/${s2.session}.1?all=maybe`)).toMatchObject({ status: 400, body: { code: 'FE1104' } });
  });

  it('replays a session, filtered by seq or time', async () => {
    const all = (await get(`/api/replay/${s2.session}`)).body;
    expect(all.count).toBe(all.events.length);
    expect(all.events.map((e: any) => e.seq)).toEqual(Array.from({ length: all.lastSeq }, (_, i) => i + 1));
    const mid = (await get(`/api/replay/${s2.session}?from=3&to=6`)).body;
    expect(mid.events.map((e: any) => e.seq)).toEqual([3, 4, 5, 6]);
    const t = all.events[4].ts;
    const byTs = (await get(`/api/replay/${s2.session}?fromTs=${t}&toTs=${t + 1}`)).body;
    expect(byTs.events.map((e: any) => e.ts)).toEqual([t, t + 1]);
  });

  it('explains an action of a given build', async () => {
    const { body } = await get(`/api/explain/${s2.session}.1/host/b.c.o`);
    expect(body).toMatchObject({ action: 'host/b.c.o', outcome: 'failed', reason: 'inputs-changed' });
    expect(body.changed[0].path).toBe('b.c');
    expect((await get(`/api/explain/${s2.session}.1/b.c.o`)).body.action).toBe('host/b.c.o');
  });

  it('returns the causal graph: failure → skip and build end', async () => {
    const { body } = await get(`/api/graph/${s2.session}.1`);
    const finished = body.nodes.find((n: any) => n.type === 'build.finished');
    const skipped = body.nodes.find((n: any) => n.type === 'action.skipped');
    expect(body.edges).toEqual(expect.arrayContaining([{ from: failSeq, to: skipped.seq }, { from: failSeq, to: finished.seq }]));
    expect(body.nodes.find((n: any) => n.seq === failSeq).label).toContain('host/b.c.o');
    const all = (await get(`/api/graph/${s2.session}.1?all=1`)).body;
    expect(all.nodes.length).toBeGreaterThan(body.nodes.length);
    const one = (await get(`/api/graph/${s2.session}.1?action=host/app`)).body;
    expect(one.nodes.map((n: any) => n.seq)).toEqual([failSeq, skipped.seq]);
  });

  it('gives the autopsy of the failed build', async () => {
    const { body } = await get(`/api/autopsy/${s2.session}.1`);
    expect(body.verdict).toBe('code');
    expect(body.rootCauses.map((r: any) => r.action)).toEqual(['host/b.c.o']);
    expect(body.rootCauses[0].stderrExcerpt).toContain('error: expected');
    expect(body.cascaded).toEqual([{ action: 'host/app', because: 'host/b.c.o', seq: failSeq + 1, kind: 'skipped' }]);
    expect(body.sinceGreen.green.build).toBe(`${s1.session}.1`);
    expect(body.sinceGreen.inputs.map((i: any) => i.path)).toEqual(['b.c']);
  });

  it('lists nodes from compiler.nodes', async () => {
    const { body } = await get('/api/nodes');
    expect(body.nodes.map((n: any) => n.id)).toEqual(compiler.nodes.map((n) => n.id));
  });

  it('reads lines appended to a journal, and tolerates a torn tail', async () => {
    const s3 = new SyntheticSession(dir, '20261125T120000000Z-cccccc', Date.UTC(2026, 10, 25, 12));
    s3.startBuild('demo', 1);
    expect((await get(`/api/builds/${s3.build}`)).body.status).toBe('running');
    s3.run('host/a.c.o');
    s3.tear();
    const r = (await get(`/api/replay/${s3.session}`)).body;
    expect(r.torn).toBe(true);
    expect(r.events.at(-1).type).toBe('action.finished');
    appendFileSync(s3.path, '\n');
    s3.finish('success');
    const b = (await get(`/api/builds/${s3.build}`)).body;
    expect(b.status).toBe('success');
    expect((await get(`/api/replay/${s3.session}`)).body).toMatchObject({ torn: false, badLines: 1 });
  });
});
