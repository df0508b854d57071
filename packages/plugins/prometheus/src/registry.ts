import { createRequire } from 'node:module';
import type { Compiler, NodeInfo } from '@fester/core';
import type * as Prom from 'prom-client';
import { ACTION_END_STATES, DECISION_BUCKETS, M } from './metricNames.js';
import type { MetricsState, Tally } from './MetricsState.js';

/** What the thermal plugin publishes on the Compiler (read structurally: no dependency on it). */
interface ThermalView { maxCelsius(node: string): number; reading(node: NodeInfo): { celsius?: number } }
const THERMAL_VIEW = Symbol.for('fester.thermal.view');
/** What the scheduler plugin publishes: its runtime history (read structurally as well). */
interface HistoryView { predictionErrors(): Record<string, { n: number; mape: number }> }
const SCHEDULER_HISTORY = Symbol.for('fester.scheduler.history');

/**
 * prom-client, loaded on first use: ~100 ms of module loading that a build nobody scrapes
 * must not pay. A require made here is also invisible to the CLI bundler, which would
 * otherwise inline it into every start-up.
 */
function loadPromClient(): typeof Prom {
  return createRequire(import.meta.url)('prom-client') as typeof Prom;
}

/** The registry behind /metrics: counters read the plain tallies, gauges the node table, at scrape time. */
export function createRegistry(state: MetricsState, compiler: Compiler, processMetrics: boolean): Prom.Registry {
  const client = loadPromClient();
  const registry = new client.Registry();
  const registers = [registry];

  // `always`: label values known before their first event (read at each scrape: nodes come and go).
  const counter = (name: string, help: string, labelNames: string[], tally: Tally, always: () => string[][] = () => []) =>
    new client.Counter({
      name, help, labelNames, registers,
      collect() {
        this.reset();
        // Known label values appear at 0 before their first event, so rate() and alerts see a series.
        for (const values of always()) this.inc(labelsOf(labelNames, values), 0);
        for (const [k, v] of tally.values) this.inc(labelsOf(labelNames, k.split('\0')), v);
      },
    });

  counter(M.actions, 'Actions by outcome of each attempt (built, failed, lost = infrastructure failure, interrupted, cached, uptodate, skipped)', ['state'], state.actions, () => ACTION_END_STATES.map((s) => [s]));
  counter(M.builds, 'Finished builds by status', ['status'], state.builds, () => [['success'], ['failed'], ['interrupted']]);
  counter(M.cacheLookups, 'Cache lookups per tier: a hit at one tier is a miss at every tier asked before it', ['tier', 'result'], state.cacheLookups,
    () => compiler.cacheTiers.list().flatMap((t) => [[t.name, 'hit'], [t.name, 'miss']]));
  counter(M.cacheMisses, 'Cache misses by reason (inputs-changed, command-changed, …)', ['reason'], state.cacheMisses);
  counter(M.cacheCorrupt, 'Cache entries that failed their digest check (deleted and rebuilt)', ['tier'], state.cacheCorrupt, () => compiler.cacheTiers.list().map((t) => [t.name]));
  // Per node from 0: a series born at 1 is no increase to Prometheus, so a node's first dropout would never alert.
  const eachNode = () => compiler.nodes.map((n) => [n.id]);
  counter(M.blobCorrupt, 'Blobs that failed their digest check in transit', ['node'], state.blobCorrupt, eachNode);
  counter(M.dropouts, 'Nodes that missed their heartbeats (leases revoked, actions re-queued)', ['node'], state.dropouts, eachNode);
  counter(M.leaseRevocations, 'Leases revoked (dropout, client gone)', ['node'], state.leaseRevocations, eachNode);
  counter(M.leaseRefused, 'Results refused because their lease epoch was stale', ['node'], state.leaseRefused, eachNode);
  counter(M.retries, 'Actions retried on another node after an infrastructure failure, by the node that failed', ['node'], state.retries, eachNode);
  counter(M.farmRejected, 'Requests the coordinator rejected, by error code', ['code'], state.farmRejected);

  const gauge = (name: string, help: string, labelNames: string[], fill: (set: (labels: string[], v: number) => void) => void) =>
    new client.Gauge({
      name, help, labelNames, registers,
      collect() {
        this.reset();
        fill((labels, v) => { if (Number.isFinite(v)) this.set(labelsOf(labelNames, labels), v); });
      },
    });

  gauge(M.queue, 'Actions waiting for a slot or a node', [], (set) => set([], state.queueLength));
  gauge(M.running, 'Actions running now (this process’s builds)', [], (set) => set([], [...compiler.running.values()].reduce((a, b) => a + b, 0)));
  gauge(M.buildsRunning, 'Builds in progress', [], (set) => set([], state.buildsRunning));
  const thermal = (compiler as unknown as Record<symbol, ThermalView | undefined>)[THERMAL_VIEW];
  gauge(M.nodeUp, '1 when the node takes work (ready and not drained)', ['node', 'kind', 'state'], (set) => {
    for (const n of compiler.nodes) set([n.id, n.kind, n.state ?? 'ready'], (!n.state || n.state === 'ready') && n.policy !== 'drain' ? 1 : 0);
  });
  gauge(M.nodeSlots, 'Slots (parallel actions) a node offers', ['node'], (set) => { for (const n of compiler.nodes) set([n.id], n.slots); });
  gauge(M.nodeRunning, 'Actions running on a node', ['node'], (set) => { for (const n of compiler.nodes) set([n.id], n.running ?? compiler.running.get(n.id) ?? 0); });
  gauge(M.nodeLoad, '1-minute load average of a node', ['node'], (set) => { for (const n of compiler.nodes) if (n.load !== undefined) set([n.id], n.load); });
  gauge(M.nodeTemp, 'Temperature of a node’s sensors (°C); sensor="max" is the hottest', ['node', 'sensor'], (set) => {
    for (const n of compiler.nodes) {
      const temps = n.temps?.length ? n.temps : thermalReading(thermal, n);
      for (const t of temps) set([n.id, t.sensor], t.celsius);
      if (temps.length) set([n.id, 'max'], Math.max(...temps.map((t) => t.celsius)));
    }
  });
  if (thermal) gauge('fester_node_max_celsius', 'The thermal plugin’s max temperature for a node (°C): no dispatch at or above it', ['node'], (set) => {
    for (const n of compiler.nodes) set([n.id], thermal.maxCelsius(n.id));
  });
  gauge(M.nodeThrottled, '1 while a thermal or load rule throttles a node (rule: max, near, sustained-load)', ['node', 'rule'], (set) => {
    for (const [node, rules] of state.throttled) for (const [rule, on] of rules) set([node, rule], on ? 1 : 0);
  });

  // Read at scrape time: the scheduler plugin may be applied after this one.
  const history = () => (compiler as unknown as Record<symbol, HistoryView | undefined>)[SCHEDULER_HISTORY];
  gauge('fester_scheduler_prediction_error', 'Mean absolute relative error of the scheduler’s runtime predictions per node (0.1 = 10 %)', ['node'], (set) => {
    for (const [node, e] of Object.entries(history()?.predictionErrors() ?? {})) if (e.n > 0) set([node], e.mape);
  });
  gauge('fester_scheduler_prediction_samples', 'Runtimes the scheduler predicted and then measured, per node', ['node'], (set) => {
    for (const [node, e] of Object.entries(history()?.predictionErrors() ?? {})) set([node], e.n);
  });

  const histogram = new client.Histogram({ name: M.decision, help: 'Time the schedule hook took to place one action (filters and scorers), seconds', buckets: DECISION_BUCKETS, registers });
  for (const s of state.pendingDecisions) histogram.observe(s);
  state.pendingDecisions = [];
  state.observeDecision = (s) => histogram.observe(s);

  if (processMetrics) client.collectDefaultMetrics({ register: registry, prefix: 'fester_' });
  return registry;
}

function labelsOf(names: string[], values: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n, i) => [n, values[i] ?? '']));
}

function thermalReading(view: ThermalView | undefined, n: NodeInfo): { sensor: string; celsius: number }[] {
  if (!view) return [];
  try {
    const r = view.reading(n);
    return r.celsius === undefined ? [] : [{ sensor: 'thermal', celsius: r.celsius }];
  } catch {
    return [];
  }
}
