import { M } from '../metricNames.js';
import type { Dashboard, Panel } from './dashboardSchema.js';

export interface DashboardOptions {
  /** uid of the Prometheus datasource the panels default to (the provisioned one). */
  datasourceUid?: string;
  /** Temperature drawn as the red threshold on the thermal panel (°C). */
  maxCelsius?: number;
}

export const DASHBOARD_UID = 'fester-farm';
export const DATASOURCE_UID = 'fester-prometheus';

type Series = Extract<Panel, { type: 'timeseries' }>;
type SeriesSpec = Omit<Series, 'id' | 'gridPos' | 'datasource'>;

const W = 24;
const H = 8;

/**
 * The "Fester build farm" dashboard: thermal per node, work queue and throughput, cache hit
 * ratio, farm health (dropouts, leases, retries) and scheduling latency. Panels read the
 * metrics by their names in metricNames.ts; the datasource is a variable so one file works
 * with whichever Prometheus the user picks.
 */
export function grafanaDashboard(opts: DashboardOptions = {}): Dashboard {
  const maxC = opts.maxCelsius ?? 85;
  let id = 0;
  let y = 0;
  const panels: Panel[] = [];
  const ds = { type: 'prometheus' as const, uid: '${datasource}' };
  const row = (title: string) => { panels.push({ id: ++id, type: 'row', title, collapsed: false, gridPos: { h: 1, w: W, x: 0, y: y++ }, panels: [] }); };
  const place = (cols: SeriesSpec[]) => {
    const w = W / cols.length;
    cols.forEach((p, i) => panels.push({ ...p, id: ++id, datasource: ds, gridPos: { h: H, w, x: i * w, y } }));
    y += H;
  };
  const ts = (title: string, unit: string, targets: [string, string][], extra: Partial<Series> = {}): SeriesSpec => ({
    type: 'timeseries', title,
    targets: targets.map(([expr, legendFormat], i) => ({ refId: String.fromCharCode(65 + i), expr, legendFormat, datasource: ds })),
    fieldConfig: { defaults: { unit, ...(extra.fieldConfig?.defaults ?? {}) }, overrides: [] },
    options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
    ...(extra.description ? { description: extra.description } : {}),
  });

  row('Thermal');
  place([
    ts('Temperature per node', 'celsius', [[`max by (node) (${M.nodeTemp}{sensor="max", node=~"$node"})`, '{{node}}']], {
      description: `Hottest sensor of each node. The thermal plugin stops dispatching at its max (red line: ${maxC} °C).`,
      fieldConfig: { defaults: { thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'orange', value: maxC - 5 }, { color: 'red', value: maxC }] }, custom: { thresholdsStyle: { mode: 'line' } } }, overrides: [] },
    }),
    ts('Throttled nodes', 'short', [[`max by (node, rule) (${M.nodeThrottled}{node=~"$node"})`, '{{node}} {{rule}}']], { description: '1 while a rule holds a node back: max (too hot), near (fewer slots), sustained-load.' }),
    ts('Load per node', 'short', [[`${M.nodeLoad}{node=~"$node"}`, '{{node}}'], [`${M.nodeRunning}{node=~"$node"}`, '{{node}} running']]),
  ]);
  row('Work');
  place([
    ts('Queue', 'short', [[M.queue, 'queued'], [M.running, 'running'], [M.buildsRunning, 'builds']], { description: 'Actions waiting for a slot or a node, actions running, builds in progress.' }),
    ts('Throughput', 'opm', [[`sum by (state) (rate(${M.actions}[5m])) * 60`, '{{state}}']], { description: 'Actions per minute by outcome.' }),
    ts('Builds', 'short', [[`sum by (status) (increase(${M.builds}[1h]))`, '{{status}}']]),
  ]);
  row('Cache');
  place([
    ts('Cache hit ratio', 'percentunit', [
      [`sum(rate(${M.actions}{state="cached"}[5m])) / (sum(rate(${M.actions}{state="cached"}[5m])) + sum(rate(${M.cacheMisses}[5m])) > 0)`, 'all tiers'],
      [`sum by (tier) (rate(${M.cacheLookups}{result="hit"}[5m])) / (sum by (tier) (rate(${M.cacheLookups}[5m])) > 0)`, '{{tier}}'],
    ], { description: 'Hits over lookups that reached the cache (up-to-date actions never ask it). Per tier: of the lookups that reached that tier.' }),
    ts('Cache misses by reason', 'opm', [[`sum by (reason) (rate(${M.cacheMisses}[5m])) * 60`, '{{reason}}']]),
    ts('Integrity failures', 'short', [[`sum by (tier) (increase(${M.cacheCorrupt}[1h]))`, 'cache {{tier}}'], [`sum by (node) (increase(${M.blobCorrupt}[1h]))`, 'blob via {{node}}']], { description: 'Entries and blobs that failed their sha256 check (removed, rebuilt or fetched again).' }),
  ]);
  row('Farm');
  place([
    ts('Dropouts', 'short', [[`sum by (node) (increase(${M.dropouts}[1h]))`, '{{node}}']], { description: 'Nodes that missed their heartbeats: leases revoked, actions re-queued.' }),
    ts('Leases and retries', 'short', [
      [`sum by (node) (increase(${M.leaseRevocations}[1h]))`, 'revoked {{node}}'],
      [`sum by (node) (increase(${M.leaseRefused}[1h]))`, 'late result refused {{node}}'],
      [`sum by (node) (increase(${M.retries}[1h]))`, 'retried after {{node}}'],
    ]),
    ts('Scheduling decision latency', 's', [
      [`histogram_quantile(0.5, sum by (le) (rate(${M.decision}_bucket[5m])))`, 'p50'],
      [`histogram_quantile(0.99, sum by (le) (rate(${M.decision}_bucket[5m])))`, 'p99'],
    ]),
  ]);

  return {
    uid: DASHBOARD_UID,
    title: 'Fester build farm',
    description: 'Thermal state, queue, throughput, cache and farm health of a Fester coordinator (fester grafana export).',
    tags: ['fester', 'build'],
    timezone: 'browser',
    editable: true,
    schemaVersion: 39,
    version: 1,
    refresh: '10s',
    time: { from: 'now-1h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', current: { text: opts.datasourceUid ?? DATASOURCE_UID, value: opts.datasourceUid ?? DATASOURCE_UID }, hide: 0 },
        { name: 'node', label: 'Node', type: 'query', datasource: ds, query: { query: `label_values(${M.nodeSlots}, node)`, refId: 'nodes' }, refresh: 2, includeAll: true, multi: true, allValue: '.*', current: { text: 'All', value: '$__all' }, hide: 0 },
      ],
    },
    annotations: { list: [] },
    panels,
  };
}
