import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { fester, festerSpawn, fixture } from '../../../../test/helpers.js';
import { startAgent, startCoordinator, stopAll, TOKEN, waitNodes, ready } from '../../../../test/farm.js';
import { getJson, sseEvents } from './serve.js';
import { queryUntil, startPrometheus, type PromServer } from './prometheus.js';

const env = { FESTER_FARM_TOKEN: TOKEN };

/**
 * One short farm story, watched from outside: a coordinator with one agent, scraped by
 * Debian's real Prometheus with the rules `fester grafana export` wrote; a build whose only
 * agent is killed mid-action. The autopsy must call it infrastructure, the causal graph must
 * lead from the failure back to the dropout, and Prometheus must see the dropout.
 */
describe('farm observability', () => {
  let prom: PromServer | undefined;
  afterAll(async () => { await prom?.stop(); await stopAll(); });

  it('a build broken by a killed agent: autopsy says infrastructure, graph and Prometheus show the dropout', async () => {
    const f = fixture('slow');
    const co = await startCoordinator(f.base, { host: '127.0.0.31' });
    const agent = startAgent(f.base, co.url, 'k1');
    await waitNodes(co.url, ready(['k1']));

    const out = join(f.base, 'grafana');
    const scrape = co.url.replace(/^http:\/\//, '');
    const exp = await fester(['grafana', 'export', '--out', out, '--scrape', scrape, '--scrape-interval', '1s'], { cwd: f.base, cache: f.cache });
    expect(exp.exitCode, exp.stderr).toBe(0);
    const rules = await execa('promtool', ['check', 'rules', join(out, 'prometheus/fester-alerts.yml')], { reject: false, all: true });
    expect(rules.exitCode, rules.all).toBe(0);
    expect(rules.all).toMatch(/SUCCESS: 5 rules found/);
    const config = await execa('promtool', ['check', 'config', join(out, 'prometheus/prometheus.yml')], { reject: false, all: true });
    expect(config.exitCode, config.all).toBe(0);
    mkdirSync(join(f.base, 'tsdb'));
    prom = await startPrometheus(join(out, 'prometheus/prometheus.yml'), join(f.base, 'tsdb'));
    const up = await queryUntil(prom.url, 'fester_node_up', (v) => v.some((s) => s.metric.node === 'k1' && s.value[1] === '1'));
    expect(up.find((s) => s.metric.node === 'k1')!.metric.job).toBe('fester');
    // A node's counters exist at 0 before anything happens to it: else its first dropout is no increase and never alerts.
    await queryUntil(prom.url, 'fester_node_dropouts_total', (v) => v.some((s) => s.metric.node === 'k1' && s.value[1] === '0'));

    const build = festerSpawn(['build', '--farm', co.url, '-j', '2'], { cwd: f.dir, cache: f.cache, env });
    // Kill the agent once it runs a slow action (the coordinator's node table says so).
    await waitNodes(co.url, (n) => n.some((x) => x.id === 'k1' && x.running > 0), 30_000);
    await agent.kill('SIGKILL');
    const r = await build;
    expect(r.exitCode, String(r.stderr)).not.toBe(0);

    const a = await fester(['autopsy', '--json'], { cwd: f.dir, cache: f.cache });
    expect(a.exitCode, a.stderr).toBe(0);
    const autopsy = JSON.parse(a.stdout);
    expect(autopsy.verdict).toBe('infrastructure');
    expect(autopsy.rootCauses.length).toBeGreaterThan(0);
    expect(autopsy.rootCauses.every((c: { kind: string }) => c.kind === 'infrastructure')).toBe(true);
    expect(autopsy.infrastructure.dropouts.map((d: { node: string }) => d.node)).toContain('k1');
    expect(autopsy.chain.map((c: { type: string }) => c.type)).toContain('node.dropout');
    const text = await fester(['autopsy'], { cwd: f.dir, cache: f.cache });
    expect(text.stdout).toMatch(/verdict: infrastructure/);
    expect(text.stdout).toMatch(/dropout\(s\): k1/);

    // The same story as a causal graph, from the build's own journal served by `fester ui`.
    const ui = festerSpawn(['ui', '--port', '0', '--host', '127.0.0.31', f.dir], { cwd: f.dir, cache: f.cache });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let s = '';
        ui.stdout!.on('data', (d: Buffer) => { s += d; const m = /serving (http:\/\/\S+)/.exec(s); if (m) resolve(m[1]!); });
        void ui.then(() => reject(new Error(`fester ui exited: ${s}`)));
      });
      const g = await getJson(`${url}/api/graph/${autopsy.build}`);
      expect(g.status).toBe(200);
      const bySeq = new Map<number, { type: string; node?: string }>(g.body.nodes.map((n: { seq: number }) => [n.seq, n]));
      const parents = (seq: number) => g.body.edges.filter((e: { to: number }) => e.to === seq).map((e: { from: number }) => e.from);
      // Walk up from the root cause's failure: dropout ← … must be reachable.
      const seen = new Set<number>();
      const stack = [autopsy.rootCauses[0].seq as number];
      while (stack.length) { const s = stack.pop()!; if (seen.has(s)) continue; seen.add(s); stack.push(...parents(s)); }
      const types = [...seen].map((s) => bySeq.get(s)?.type);
      expect(types).toEqual(expect.arrayContaining(['action.finished', 'lease.revoked', 'node.dropout']));
    } finally {
      ui.kill('SIGTERM');
      await ui;
    }

    // The coordinator serves the same API over its own session: the dropout, the revocation it caused, resumable SSE.
    // Its own session — it also keeps copies of the farm builds' journals — is the one where k1 registered.
    type Ev = { seq: number; type: string; node?: string; causes?: number[] };
    const sessions = (await getJson(`${co.url}/api/sessions`)).body.sessions as { id: string }[];
    let coSession = '';
    let timeline: Ev[] = [];
    for (const x of sessions) {
      const evs = (await getJson(`${co.url}/api/replay/${x.id}`)).body.events as Ev[];
      if (evs.some((e) => e.type === 'node.registered' && e.node === 'k1')) { coSession = x.id; timeline = evs; }
    }
    expect(coSession).not.toBe('');
    const drop = timeline.find((e) => e.type === 'node.dropout' && e.node === 'k1')!;
    expect(drop).toBeDefined();
    expect(timeline.filter((e) => e.type === 'lease.revoked' && e.node === 'k1').every((e) => e.causes?.includes(drop.seq))).toBe(true);
    const sse = await sseEvents(`${co.url}/api/events?session=${coSession}`, 1, { 'Last-Event-ID': String(drop.seq - 1) });
    expect(sse[0]).toMatchObject({ id: drop.seq, data: { type: 'node.dropout', node: 'k1' } });
    const missing = await getJson(`${co.url}/api/builds/nope`);
    expect([missing.status, missing.body.code]).toEqual([404, 'FE1101']);
    const bad = await getJson(`${co.url}/api/replay/${coSession}?to=x`);
    expect([bad.status, bad.body.code]).toEqual([400, 'FE1104']);

    // Prometheus scraped the dropout and the revoked lease off the coordinator.
    await queryUntil(prom.url, 'fester_node_dropouts_total{node="k1"}', (v) => v.some((s) => Number(s.value[1]) >= 1));
    await queryUntil(prom.url, 'fester_lease_revocations_total{node="k1"}', (v) => v.some((s) => Number(s.value[1]) >= 1));
    await queryUntil(prom.url, 'fester_node_up{node="k1"}', (v) => v.length > 0 && v.every((s) => s.value[1] === '0'));
    const rulesLoaded = (await getJson(`${prom.url}/api/v1/rules`)).body.data.groups.flatMap((gr: { rules: { name: string }[] }) => gr.rules.map((x) => x.name));
    expect(rulesLoaded).toEqual(expect.arrayContaining(['FesterNodeDropout', 'FesterNodeTooHot', 'FesterCacheIntegrityFailure']));
    await queryUntil(prom.url, 'ALERTS{alertname="FesterNodeDropout"}', (v) => v.some((s) => s.metric.node === 'k1'));
    f.cleanup();
  });
});
