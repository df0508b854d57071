import type { Compiler, FesterPlugin } from '@fester/core';
import { pluginOptions } from '@fester/core';
import { z } from '@fester/core/zod';
import type { Registry } from 'prom-client';
import { MetricsState } from './MetricsState.js';
import { createRegistry } from './registry.js';

export const NAME = '@fester/plugin-prometheus';

const schema = z.strictObject({
  /** Where the metrics are served on `compiler.routes`. */
  path: z.string().startsWith('/').default('/metrics'),
  /** Also export Node.js process metrics (CPU, memory, event-loop lag) as fester_process_* / fester_nodejs_*. */
  processMetrics: z.boolean().default(true),
});

export type PrometheusOptions = z.input<typeof schema>;
export { M as METRICS, ACTION_END_STATES, DECISION_BUCKETS } from './metricNames.js';
export { MetricsState } from './MetricsState.js';
export { grafanaDashboard, type DashboardOptions } from './grafana/dashboard.js';
export { alertRules, type AlertOptions } from './grafana/alerts.js';
export { grafanaExport, type GrafanaExportOptions, type ExportedFile } from './grafana/exportFiles.js';

/** Decision latency: taps around every other `schedule` tap (stages are sorted, ±Infinity are the ends). */
const FIRST = -Infinity;
const LAST = Infinity;

/**
 * Prometheus metrics at `/metrics`, fed by `compiler.hooks.event` (every build's and the
 * farm's events) and by `compiler.nodes` at scrape time. prom-client loads at the first scrape.
 */
export default function prometheus(options: PrometheusOptions = {}): FesterPlugin {
  const opts = pluginOptions(NAME, schema, options);
  return {
    name: NAME,
    apply(compiler: Compiler) {
      const state = new MetricsState(() => compiler.cacheTiers.list().map((t) => ({ name: t.name, stage: t.stage })));
      compiler.hooks.event.tap(NAME, (ev) => state.on(ev));
      compiler.hooks.build.tap(NAME, (build) => {
        // Time the whole waterfall for one action: first tap notes the start, last tap measures.
        const started = new Map<string, number>();
        build.hooks.schedule.tap({ name: NAME, stage: FIRST }, (candidates, action) => {
          started.set(action.id, performance.now());
          return candidates;
        });
        build.hooks.schedule.tap({ name: NAME, stage: LAST }, (candidates, action) => {
          const t0 = started.get(action.id);
          if (t0 !== undefined) { started.delete(action.id); state.decision((performance.now() - t0) / 1000); }
          return candidates;
        });
      });
      let registry: Registry | undefined;
      compiler.routes.add('GET', opts.path, NAME, async (_req, res) => {
        registry ??= createRegistry(state, compiler, opts.processMetrics);
        const text = await registry.metrics();
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        res.end(text);
      });
    },
  };
}
