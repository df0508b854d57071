import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fester, fixture } from '../../../../test/helpers.js';
import { getJson, sseEvents, startServing, type Serving } from './serve.js';

const MAIN = 'host/obj/hello/app/main.c.o';

/**
 * The HTTP API of a real `fester build --serve-keep` (and of `fester ui` over the same
 * journals) after a green build and a build broken on purpose: every endpoint, the coded
 * 404/400 answers, SSE resumed with Last-Event-ID, and the autopsy of the broken build.
 */
describe('HTTP API over a real build', () => {
  const fx = fixture('hello');
  let srv: Serving;
  let green = '';
  let red = '';
  let session = '';

  beforeAll(async () => {
    const ok = await fester(['build'], { cwd: fx.dir, cache: fx.cache });
    expect(ok.exitCode, ok.stderr).toBe(0);
    appendFileSync(join(fx.dir, 'app/main.c'), 'int broken_on_purpose(void) { return undeclared_thing; }\n');
    srv = await startServing(['build', '--serve-keep', '--port', '0', '--host', '127.0.0.21'], { cwd: fx.dir, cache: fx.cache });
    await srv.waitFor(/build done; still serving/);
    const list = await getJson(`${srv.url}/api/builds`);
    expect(list.status).toBe(200);
    [red, green] = list.body.builds.map((b: { id: string }) => b.id);
    session = red.slice(0, red.lastIndexOf('.'));
  });
  afterAll(async () => {
    await srv?.stop();
    fx.cleanup();
  });

  it('lists both builds, newest first, with their status and counts', async () => {
    const { body } = await getJson(`${srv.url}/api/builds`);
    expect(body.total).toBe(2);
    expect(body.builds.map((b: { status: string }) => b.status)).toEqual(['failed', 'success']);
    expect(body.builds[1].counts.built).toBe(8);
    const failedOnly = await getJson(`${srv.url}/api/builds?status=failed`);
    expect(failedOnly.body.builds.map((b: { id: string }) => b.id)).toEqual([red]);
    const one = await getJson(`${srv.url}/api/builds/${red}`);
    expect(one.status).toBe(200);
    expect(one.body.project).toBe('hello');
    const main = one.body.actionList.find((a: { id: string }) => a.id === MAIN);
    expect(main).toMatchObject({ state: 'failed', exitCode: 1, node: 'local' });
    expect(one.body.actionList.find((a: { id: string }) => a.id === 'host/hello')).toMatchObject({ state: 'skipped', because: MAIN });
  });

  it('autopsy names the first failure, its stderr, what cascaded and the changed input', async () => {
    const { status, body } = await getJson(`${srv.url}/api/autopsy/${red}`);
    expect(status).toBe(200);
    expect(body.verdict).toBe('code');
    expect(body.rootCauses).toHaveLength(1);
    expect(body.rootCauses[0]).toMatchObject({ action: MAIN, first: true, kind: 'code', node: 'local', missReason: 'inputs-changed' });
    expect(body.rootCauses[0].stderrExcerpt).toMatch(/undeclared_thing/);
    expect(body.cascaded.map((c: { action: string }) => c.action)).toContain('host/hello');
    expect(body.sinceGreen.green.build).toBe(green);
    expect(body.sinceGreen.inputs.map((i: { path: string }) => i.path)).toEqual(['app/main.c']);
    // The CLI prints the same autopsy for people.
    const cli = await fester(['autopsy'], { cwd: fx.dir, cache: fx.cache });
    expect(cli.exitCode, cli.stderr).toBe(0);
    expect(cli.stdout).toContain(`autopsy of build ${red}`);
    expect(cli.stdout).toContain(`root cause (first failure): ${MAIN}`);
    expect(cli.stdout).toMatch(/verdict: code/);
    expect(cli.stdout).toMatch(/app\/main\.c\s+\w+ → \w+/);
    expect(cli.stdout).toContain('undeclared_thing');
    // The causal chain reaches back to the edit.
    expect(body.chain.map((c: { type: string }) => c.type)).toContain('input.changed');
    const green0 = await getJson(`${srv.url}/api/autopsy/${green}`);
    expect(green0.body.verdict).toBe('none');
  });

  it('the causal graph links the skips and the build end to the failure', async () => {
    const { status, body } = await getJson(`${srv.url}/api/graph/${red}`);
    expect(status).toBe(200);
    const failure = body.nodes.find((n: { type: string; action?: string }) => n.type === 'action.finished' && n.action === MAIN);
    expect(failure).toBeDefined();
    const skipped = body.nodes.find((n: { type: string; action?: string }) => n.type === 'action.skipped' && n.action === 'host/hello');
    const end = body.nodes.find((n: { type: string }) => n.type === 'build.finished');
    expect(body.edges).toContainEqual({ from: failure.seq, to: skipped.seq });
    expect(body.edges).toContainEqual({ from: failure.seq, to: end.seq });
    // The miss that made main.c.o run was caused by the edit of app/main.c (an input.changed).
    const miss = body.nodes.find((n: { type: string; action?: string }) => n.type === 'cache.miss' && n.action === MAIN);
    const edit = body.nodes.find((n: { type: string; label: string }) => n.type === 'input.changed' && n.label.includes('app/main.c'));
    expect(edit, JSON.stringify(body.nodes.map((n: { type: string }) => n.type))).toBeDefined();
    expect(body.edges).toContainEqual({ from: edit.seq, to: miss.seq });
    const only = await getJson(`${srv.url}/api/graph/${red}?action=host/hello`);
    expect(only.body.nodes.map((n: { seq: number }) => n.seq)).toEqual(expect.arrayContaining([failure.seq, skipped.seq]));
  });

  it('explain, replay and nodes answer from the journal', async () => {
    const ex = await getJson(`${srv.url}/api/explain/${red}/${MAIN}`);
    expect(ex.status).toBe(200);
    expect(ex.body.action).toBe(MAIN);
    expect(ex.body.changed.map((c: { path: string }) => c.path)).toEqual(['app/main.c']);
    const all = await getJson(`${srv.url}/api/replay/${session}`);
    expect(all.body.torn).toBe(false);
    expect(all.body.events.map((e: { seq: number }) => e.seq)).toEqual(Array.from({ length: all.body.count }, (_, i) => i + 1));
    const part = await getJson(`${srv.url}/api/replay/${session}?from=3&to=6`);
    expect(part.body.events.map((e: { seq: number }) => e.seq)).toEqual([3, 4, 5, 6]);
    const nodes = await getJson(`${srv.url}/api/nodes`);
    expect(nodes.body.nodes.map((n: { id: string }) => n.id)).toEqual(['local']);
  });

  it('/metrics counts this build: outcomes, cache lookups per tier, decision latency', async () => {
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"=]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1]);
    // The served process ran only the broken build: main.c.o failed, the hello link was skipped, the other 6 were up to date.
    expect(value('fester_actions_total{state="failed"}')).toBe(1);
    expect(value('fester_actions_total{state="skipped"}')).toBe(1);
    expect(value('fester_actions_total{state="uptodate"}') + value('fester_actions_total{state="cached"}')).toBe(6);
    expect(value('fester_cache_lookups_total{tier="local",result="miss"}')).toBeGreaterThanOrEqual(1);
    expect(value('fester_builds_total{status="failed"}')).toBe(1);
    expect(value('fester_schedule_decision_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(value('fester_queue_length')).toBe(0);
    expect(value('fester_node_up{node="local",kind="physical",state="ready"}')).toBe(1);
  });

  it('SSE resumes after Last-Event-ID with every later event once, in order', async () => {
    const all = (await getJson(`${srv.url}/api/replay/${session}`)).body.events as { seq: number; type: string }[];
    const from = 5;
    const got = await sseEvents(`${srv.url}/api/events?session=${session}`, all.length - from, { 'Last-Event-ID': String(from) });
    expect(got.map((g) => g.id)).toEqual(all.filter((e) => e.seq > from).map((e) => e.seq));
    expect(got.map((g) => g.data.type)).toEqual(all.filter((e) => e.seq > from).map((e) => e.type));
  });

  it('fester replay of a one-node session: nothing to replay (FE1109), but the what-if runs', async () => {
    const r = await fester(['replay', session], { cwd: fx.dir, cache: fx.cache });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error FE1109: session \S+ recorded no scheduling decision/m);
    const w = await fester(['replay', green.slice(0, green.lastIndexOf('.')), '--mode', 'thermal', '--json'], { cwd: fx.dir, cache: fx.cache });
    expect(w.exitCode, w.stderr).toBe(0);
    const j = JSON.parse(w.stdout);
    expect(j.decisions).toBe(0);
    expect(j.whatIf).toMatchObject({ build: green, actions: 8, nodes: ['local'] });
    expect(j.whatIf.runs.map((x: { mode: string }) => x.mode)).toEqual(['unified', 'thermal']);
  });

  it('unknown ids are 404 and malformed parameters 400, as coded JSON', async () => {
    const cases: [string, number, string, Record<string, string>?][] = [
      ['/api/builds/nope', 404, 'FE1101'],
      [`/api/autopsy/${session}.99`, 404, 'FE1101'],
      ['/api/graph/nope', 404, 'FE1101'],
      ['/api/replay/20260101T000000000Z-000000', 404, 'FE1102'],
      [`/api/explain/${red}/host/obj/nope.c.o`, 404, 'FE1103'],
      ['/api/bilds', 404, 'FE1105'],
      [`/api/replay/${session}?from=abc`, 400, 'FE1104'],
      [`/api/replay/${session}?from=9&to=3`, 400, 'FE1104'],
      [`/api/replay/${session}?form=3`, 400, 'FE1104'],
      ['/api/builds?limit=0', 400, 'FE1104'],
      ['/api/builds?status=broken', 400, 'FE1104'],
      [`/api/graph/${red}?all=maybe`, 400, 'FE1104'],
      ['/api/events', 400, 'FE1104', { 'Last-Event-ID': 'x7' }],
    ];
    for (const [path, status, code, headers] of cases) {
      const r = await getJson(srv.url + path, headers);
      expect([path, r.status, r.body.code], path).toEqual([path, status, code]);
      expect(r.type).toMatch(/^application\/json/);
      expect(typeof r.body.hint).toBe('string');
      expect(JSON.stringify(r.body)).not.toMatch(/\n\s+at /);
    }
  });

  it('CLI bad input is a coded error without a stack trace', async () => {
    const run = (args: string[]) => fester(args, { cwd: fx.dir, cache: fx.cache });
    const cases: [string[], number, string][] = [
      [['autopsy', `${session}.99`], 2, 'FE1101'],
      // Under a regular file (tests run as root: permissions would not stop it), and under /proc (Node's recursive mkdir spins there).
      [['grafana', 'export', '--out', 'project.yaml/grafana'], 3, 'FE1108'],
      [['grafana', 'export', '--out', '/proc/fester-grafana'], 3, 'FE1108'],
      [['grafana', 'export', '--scrape-interval', 'soon'], 2, 'FE0103'],
      [['ui', '--port', new URL(srv.url).port, '--host', '127.0.0.21'], 3, 'FE1106'],
    ];
    for (const [args, exit, code] of cases) {
      const r = await run(args);
      expect([args.join(' '), r.exitCode], r.stderr).toEqual([args.join(' '), exit]);
      expect(r.stderr).toMatch(new RegExp(`^error ${code}: `, 'm'));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('fester ui serves the same builds from disk, and a torn journal up to the tear', async () => {
    await srv.stop();
    const dir = join(fx.dir, '.fester/sessions');
    const file = readdirSync(dir).find((f) => f.startsWith(session))!;
    const before = (await (async () => {
      const ui = await startServing(['ui', '--port', '0', '--host', '127.0.0.21', fx.dir], { cwd: fx.dir, cache: fx.cache });
      try {
        const list = await getJson(`${ui.url}/api/builds`);
        expect(list.body.builds.map((b: { id: string; status: string }) => [b.id, b.status])).toEqual([[red, 'failed'], [green, 'success']]);
        expect((await getJson(`${ui.url}/api/autopsy/${red}`)).body.rootCauses[0].action).toBe(MAIN);
        return (await getJson(`${ui.url}/api/replay/${session}`)).body;
      } finally { await ui.stop(); }
    })());
    // A crash mid-write leaves half a line: everything before it still replays.
    appendFileSync(join(dir, file), '{"seq":999999,"ts":1,"session":"x","type":"action.fin');
    const ui = await startServing(['ui', '--port', '0', '--host', '127.0.0.21', fx.dir], { cwd: fx.dir, cache: fx.cache });
    try {
      const torn = (await getJson(`${ui.url}/api/replay/${session}`)).body;
      expect(torn.torn).toBe(true);
      expect(torn.count).toBe(before.count);
      expect(torn.events).toEqual(before.events);
    } finally { await ui.stop(); }
  });
});
