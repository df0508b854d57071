import { join } from 'node:path';
import { stringify } from 'yaml';
import { alertRules } from './alerts.js';
import { DASHBOARD_UID, DATASOURCE_UID, grafanaDashboard } from './dashboard.js';
import { dashboardSchema } from './dashboardSchema.js';

export interface GrafanaExportOptions {
  /** Absolute folder the files go to; provisioning files point at its dashboards/ folder. */
  outDir: string;
  /** Where Grafana reaches Prometheus (the provisioned datasource). */
  prometheusUrl?: string;
  /** Where Grafana will read the dashboard JSON (default: <outDir>/dashboards). */
  dashboardsPath?: string;
  /** host:port Prometheus scrapes (the coordinator, or `fester build --serve`). */
  scrapeTarget?: string;
  scrapeInterval?: string;
  maxCelsius?: number;
}

export interface ExportedFile {
  /** Relative to outDir. */
  path: string;
  content: string;
  what: string;
}

/**
 * Everything `fester grafana export` writes: the dashboard, Grafana provisioning for it and
 * for a Prometheus datasource, the alert rules, and a prometheus.yml that scrapes Fester and
 * loads those rules. Pure: the caller writes the files.
 */
export function grafanaExport(o: GrafanaExportOptions): ExportedFile[] {
  const dashboard = dashboardSchema.parse(grafanaDashboard({ datasourceUid: DATASOURCE_UID, maxCelsius: o.maxCelsius }));
  const dashboardsPath = o.dashboardsPath ?? join(o.outDir, 'dashboards');
  const header = '# Written by `fester grafana export`; regenerate rather than edit.\n';
  const providers = {
    apiVersion: 1,
    providers: [{
      name: 'fester', orgId: 1, folder: 'Fester', type: 'file', disableDeletion: false, allowUiUpdates: true, updateIntervalSeconds: 30,
      options: { path: dashboardsPath, foldersFromFilesStructure: false },
    }],
  };
  const datasources = {
    apiVersion: 1,
    datasources: [{
      name: 'Fester Prometheus', uid: DATASOURCE_UID, type: 'prometheus', access: 'proxy', url: o.prometheusUrl ?? 'http://localhost:9090', isDefault: false,
      jsonData: { timeInterval: o.scrapeInterval ?? '15s' },
    }],
  };
  const prometheus = {
    global: { scrape_interval: o.scrapeInterval ?? '15s', evaluation_interval: o.scrapeInterval ?? '15s' },
    rule_files: ['fester-alerts.yml'],
    scrape_configs: [{ job_name: 'fester', metrics_path: '/metrics', static_configs: [{ targets: [o.scrapeTarget ?? '127.0.0.1:7420'] }] }],
  };
  return [
    { path: `dashboards/${DASHBOARD_UID}.json`, content: `${JSON.stringify(dashboard, null, 2)}\n`, what: 'dashboard' },
    { path: 'provisioning/dashboards/fester.yaml', content: header + stringify(providers), what: 'Grafana dashboard provider' },
    { path: 'provisioning/datasources/fester.yaml', content: header + stringify(datasources), what: 'Grafana Prometheus datasource' },
    { path: 'prometheus/fester-alerts.yml', content: alertRules({ maxCelsius: o.maxCelsius }), what: 'Prometheus alert rules' },
    { path: 'prometheus/prometheus.yml', content: header + stringify(prometheus), what: 'Prometheus config scraping Fester with the rules' },
  ];
}
