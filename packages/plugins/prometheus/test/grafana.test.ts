import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { Compiler } from '@fester/core';
import prometheus, { grafanaExport, METRICS } from '../src/index.js';
import { dashboardSchema } from '../src/grafana/dashboardSchema.js';

const tmp = mkdtempSync(join(tmpdir(), 'fester-grafana-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const files = grafanaExport({ outDir: tmp, scrapeTarget: '127.0.0.1:7420', maxCelsius: 80 });
const file = (prefix: string) => files.find((f) => f.path.startsWith(prefix))!;
const dashboard = JSON.parse(file('dashboards/').content);
const exprs: string[] = dashboard.panels.flatMap((p: { targets?: { expr: string }[] }) => (p.targets ?? []).map((t) => t.expr));

/** The metric families a real /metrics of a Compiler with the plugin serves. */
async function servedMetricNames(): Promise<Set<string>> {
  const compiler = new Compiler({ config: { plugins: [prometheus({ processMetrics: false })] }, cacheDir: join(tmp, 'cache') });
  const server = createServer((req, res) => { void compiler.routes.handle(req, res); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const text = await (await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`)).text();
    return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
  } finally {
    server.close();
    await compiler.close();
  }
}

describe('fester grafana export', () => {
  it('the dashboard passes the schema and has the panels the issue asks for', () => {
    expect(dashboardSchema.safeParse(dashboard).success).toBe(true);
    const titles = dashboard.panels.map((p: { title: string }) => p.title);
    expect(titles).toEqual(expect.arrayContaining(['Temperature per node', 'Queue', 'Cache hit ratio', 'Throughput', 'Dropouts']));
    // The max temperature given to the export is the red threshold line.
    expect(JSON.stringify(dashboard)).toContain('"color":"red","value":80');
  });

  it('the schema refuses what Grafana would silently ignore or misplace', () => {
    const broken = (edit: (d: any) => void) => { const d = structuredClone(dashboard); edit(d); return dashboardSchema.safeParse(d).success; };
    expect(broken((d) => { d.panels[1].gridPos.x = 20; d.panels[1].gridPos.w = 8; })).toBe(false);
    expect(broken((d) => { d.panels[2].id = d.panels[1].id; })).toBe(false);
    expect(broken((d) => { d.panels[1].targets[0].expr += ' + on() $nosuchvar'; })).toBe(false);
    expect(broken((d) => { d.panels[1].tittle = 'typo'; })).toBe(false);
    expect(broken((d) => { d.uid = 'x'.repeat(41); })).toBe(false);
  });

  it('every metric a panel or an alert reads is one /metrics serves', async () => {
    const served = await servedMetricNames();
    const rules = file('prometheus/fester-alerts.yml').content;
    const used = new Set([...[...exprs, rules].join('\n').matchAll(/\bfester_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')));
    expect(used.size).toBeGreaterThan(8);
    // fester_node_max_celsius and temperatures need the thermal plugin or agents' readings: served as families all the same.
    const missing = [...used].filter((n) => !served.has(n));
    expect(missing).toEqual([]);
    expect(served.has(METRICS.decision)).toBe(true);
  });

  it('the alert rules pass promtool, and fire on a dropout, a hot node and a corrupt entry (promtool test rules)', async () => {
    const rules = join(tmp, 'fester-alerts.yml');
    writeFileSync(rules, file('prometheus/fester-alerts.yml').content);
    const check = await execa('promtool', ['check', 'rules', rules], { reject: false, all: true });
    expect(check.exitCode, check.all).toBe(0);
    // promtool compares annotations too: the firing is under test here, so a copy without them.
    const doc = parse(file('prometheus/fester-alerts.yml').content) as { groups: { rules: { annotations?: unknown }[] }[] };
    for (const g of doc.groups) for (const r of g.rules) delete r.annotations;
    const bare = join(tmp, 'fester-alerts-bare.yml');
    writeFileSync(bare, stringify(doc));
    // Series as the coordinator exports them, one minute apart; the export's max is 80 °C, held for 1m.
    const tests = `rule_files: [${bare}]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'fester_node_dropouts_total{node="a1"}'
        values: '0 0 1 1 1'
      - series: 'fester_node_dropouts_total{node="a2"}'
        values: '0 0 0 0 0'
      - series: 'fester_node_temperature_celsius{node="a1",sensor="max"}'
        values: '70 75 86 87 88'
      - series: 'fester_cache_corrupt_total{tier="local"}'
        values: '0 0 0 2 2'
    alert_rule_test:
      - eval_time: 3m
        alertname: FesterNodeDropout
        exp_alerts:
          - exp_labels: { severity: warning, node: a1 }
      - eval_time: 4m
        alertname: FesterNodeTooHot
        exp_alerts:
          - exp_labels: { severity: warning, node: a1 }
      - eval_time: 2m
        alertname: FesterNodeTooHot
        exp_alerts: []
      - eval_time: 4m
        alertname: FesterNodeDropout
        exp_alerts:
          - exp_labels: { severity: warning, node: a1 }
      - eval_time: 4m
        alertname: FesterCacheIntegrityFailure
        exp_alerts:
          - exp_labels: { severity: critical, tier: local }
`;
    const t = join(tmp, 'alerts.test.yml');
    writeFileSync(t, tests);
    const run = await execa('promtool', ['test', 'rules', t], { reject: false, all: true });
    expect(run.exitCode, run.all).toBe(0);
  });
});
