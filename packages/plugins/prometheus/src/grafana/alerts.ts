import { stringify } from 'yaml';
import { M } from '../metricNames.js';

export interface AlertOptions {
  /** Temperature (°C) over which a node alerts; match the thermal plugin's maxCelsius. */
  maxCelsius?: number;
  /** How long a temperature must stay over it. */
  hotFor?: string;
}

/**
 * Prometheus alerting rules (rule-file format, checked by `promtool check rules`): a node over
 * its temperature threshold or held back by the thermal plugin, node dropouts, and integrity
 * failures of the cache and of blobs in transit. Each names the metric and the fix.
 */
export function alertRules(opts: AlertOptions = {}): string {
  const maxC = opts.maxCelsius ?? 85;
  const rules = [
    {
      alert: 'FesterNodeTooHot',
      expr: `max by (node) (${M.nodeTemp}{sensor="max"}) > ${maxC}`,
      for: opts.hotFor ?? '1m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Fester node {{ $labels.node }} is at {{ $value | printf "%.0f" }} °C',
        description: `Hotter than ${maxC} °C for a minute: the thermal plugin dispatches nothing to it until it cools. Check its cooling, or drain it: fester node set-policy {{ $labels.node }} drain.`,
      },
    },
    {
      alert: 'FesterNodeThermalThrottled',
      expr: `max by (node) (${M.nodeThrottled}{rule="max"}) == 1`,
      for: '10m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Fester node {{ $labels.node }} has been throttled for heat for 10 minutes',
        description: 'It takes no new work while at its max temperature; the farm builds with fewer slots.',
      },
    },
    {
      alert: 'FesterNodeDropout',
      expr: `increase(${M.dropouts}[10m]) > 0`,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Fester node {{ $labels.node }} dropped out',
        description: 'It missed its heartbeats: its leases were revoked and its actions re-queued on other nodes. See node.dropout in the coordinator journal (fester autopsy shows affected builds).',
      },
    },
    {
      alert: 'FesterCacheIntegrityFailure',
      expr: `increase(${M.cacheCorrupt}[15m]) > 0`,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'Corrupt entries in the Fester {{ $labels.tier }} cache tier',
        description: 'Entries failed their sha256 check: they were deleted and rebuilt (FE0501). Run `fester cache verify` and check the disk or bucket behind the tier.',
      },
    },
    {
      alert: 'FesterBlobIntegrityFailure',
      expr: `increase(${M.blobCorrupt}[15m]) > 0`,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'Blobs from or to {{ $labels.node }} failed their digest check',
        description: 'They were refused and fetched again (FE0808); repeats point at a faulty network path or disk.',
      },
    },
  ];
  return `# Fester alerting rules (fester grafana export). Load with rule_files: in prometheus.yml.\n${stringify({ groups: [{ name: 'fester', rules }] })}`;
}
