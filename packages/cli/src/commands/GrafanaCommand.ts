import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Option } from 'clipanion';
import * as t from 'typanion';
import { FesterError, makeDirSync } from '@fester/core';
import { grafanaExport } from '@fester/plugin-prometheus';
import { FesterCommand } from './FesterCommand.js';

export class GrafanaExportCommand extends FesterCommand {
  static override paths = [['grafana', 'export']];
  static override usage = FesterCommand.Usage({
    description: 'Write the Grafana dashboard, Grafana provisioning, Prometheus alert rules and a prometheus.yml for Fester',
    details: `
      Files (under --out): dashboards/fester-farm.json; provisioning/dashboards/fester.yaml and
      provisioning/datasources/fester.yaml (point GF_PATHS_PROVISIONING at provisioning/, or copy
      them to /etc/grafana/provisioning/); prometheus/fester-alerts.yml (checked by promtool) and
      prometheus/prometheus.yml scraping --scrape with those rules. See docs/metrics.md.
    `,
    examples: [
      ['Into ./grafana', 'fester grafana export'],
      ['For a coordinator on farm1, Prometheus on mon1', 'fester grafana export --out /srv/fester-grafana --scrape farm1:7420 --prometheus-url http://mon1:9090'],
    ],
  });

  out = Option.String('--out', 'grafana', { description: 'Folder to write into (created)' });
  scrape = Option.String('--scrape', '127.0.0.1:7420', { description: 'host:port Prometheus scrapes /metrics from (the coordinator, or fester build --serve / fester ui)' });
  interval = Option.String('--scrape-interval', '15s', { description: 'Scrape and rule evaluation interval' });
  prometheusUrl = Option.String('--prometheus-url', 'http://localhost:9090', { description: 'Where Grafana reaches Prometheus' });
  dashboardsPath = Option.String('--dashboards-path', { description: 'Where Grafana will read the dashboard JSON (default: <out>/dashboards)' });
  maxCelsius = Option.String('--max-celsius', '85', { validator: t.cascade(t.isNumber(), [t.isInInclusiveRange(1, 150)]), description: 'Temperature alert threshold (match the thermal plugin)' });

  async run(): Promise<number> {
    if (!/^\d+[smh]$/.test(this.interval)) throw new FesterError('FE0103', { message: `--scrape-interval "${this.interval}" is not a Prometheus duration`, hint: 'give e.g. 15s, 1m' });
    const outDir = resolve(this.out);
    const files = grafanaExport({ outDir, scrapeTarget: this.scrape, scrapeInterval: this.interval, prometheusUrl: this.prometheusUrl, dashboardsPath: this.dashboardsPath, maxCelsius: Number(this.maxCelsius) });
    for (const f of files) {
      const path = join(outDir, f.path);
      try {
        makeDirSync(dirname(path));
        writeFileSync(path, f.content);
      } catch (e) {
        throw new FesterError('FE1108', { message: `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, hint: 'give --out a folder you can write to' });
      }
      this.context.stdout.write(`wrote ${path}  (${f.what})\n`);
    }
    return 0;
  }
}
