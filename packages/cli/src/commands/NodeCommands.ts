import { Option } from 'clipanion';
import { resolve } from 'node:path';
import { defaultCacheDir, farmRequest, FesterError, type farmProtocol } from '@fester/core';
import { predictionError } from '@fester/plugin-scheduler';
import { FarmCommand } from './FarmCommand.js';

type Node = farmProtocol.PublishedNode;

function ago(ts: number | undefined): string {
  if (!ts) return '-';
  const s = (Date.now() - ts) / 1000;
  return s < 1 ? 'now' : s < 120 ? `${s.toFixed(0)}s ago` : `${Math.round(s / 60)}m ago`;
}

function hottest(n: Node): string {
  const t = n.temps.reduce((m, r) => Math.max(m, r.celsius), -Infinity);
  return Number.isFinite(t) ? `${t.toFixed(0)}°C` : '-';
}

export class NodeListCommand extends FarmCommand {
  static override paths = [['node', 'list']];
  static override usage = FarmCommand.Usage({
    description: 'List the farm’s nodes: state, load, temperature, policy, clock offset',
    details: 'Asks the coordinator for its node table. A node that is not `ready` shows why (quarantine, dropout).',
    examples: [['Nodes of the farm in festerconfig.ts', 'fester node list'], ['As JSON', 'fester node list --farm http://10.0.0.5:7420 --json']],
  });

  json = Option.Boolean('--json', false, { description: 'Print the node table as JSON' });

  async run(): Promise<number> {
    const ep = await this.requireEndpoint();
    const res = await farmRequest(ep, 'GET', '/api/nodes');
    const { nodes } = res.json<{ nodes: Node[] }>();
    if (this.json) {
      // How well this machine's scheduler history predicts each node's runtimes (docs/scheduler.md#history).
      const errors = predictionError(process.env.FESTER_CACHE_DIR ? resolve(process.env.FESTER_CACHE_DIR) : defaultCacheDir());
      const rows = nodes.map((n) => ({ ...n, predictionError: errors[n.id] ?? { samples: 0, mape: 0 } }));
      this.context.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    const rows = [['NODE', 'KIND', 'ARCH', 'TARGETS', 'STATE', 'LOAD', 'TEMP', 'RUN', 'POLICY', 'CLOCK', 'HEARTBEAT', 'REASON']];
    for (const n of nodes) {
      rows.push([n.id, n.kind, n.arch, n.targets.join(',') || '-', n.state, n.load.toFixed(2), hottest(n), `${n.running}/${n.slots}`, n.policy + (n.production ? ' (production)' : ''),
        n.clockOffsetMs === undefined ? '-' : `${n.clockOffsetMs > 0 ? '+' : ''}${n.clockOffsetMs}ms`, ago(n.lastHeartbeat), n.stateReason ?? '']);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) this.context.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
    return 0;
  }
}

export class NodeSetPolicyCommand extends FarmCommand {
  static override paths = [['node', 'set-policy']];
  static override usage = FarmCommand.Usage({
    description: 'Set how the scheduler uses a node: preferred, avoid, neutral or drain',
    details: '`drain` takes no new work (running actions finish); `avoid` gets work only when the others are busy. Persisted by the coordinator and journaled.',
    examples: [['Drain a node for maintenance', 'fester node set-policy board-3 drain']],
  });

  node = Option.String({ required: true, name: 'node' });
  policy = Option.String({ required: true, name: 'policy' });

  async run(): Promise<number> {
    if (!['preferred', 'avoid', 'neutral', 'drain'].includes(this.policy)) {
      throw new FesterError('FE0813', { message: `invalid node policy "${this.policy}"` });
    }
    const ep = await this.requireEndpoint();
    const res = await farmRequest(ep, 'POST', `/api/nodes/${encodeURIComponent(this.node)}/policy`, JSON.stringify({ policy: this.policy, by: 'cli' }));
    const body = res.json<{ code?: string; message?: string; previous?: string }>();
    if (res.status !== 200) throw new FesterError((body.code ?? 'FE0806') as 'FE0806', { message: body.message ?? `HTTP ${res.status}` });
    this.context.stdout.write(`${this.node}: ${body.previous} → ${this.policy}\n`);
    return 0;
  }
}
