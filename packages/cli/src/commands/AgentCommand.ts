import { availableParallelism, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { Option } from 'clipanion';
import * as t from 'typanion';
import { Agent, defaultCacheDir, farmEndpoint, FesterError, parseSize, type ProductionGuard } from '@fester/core';
import { FesterCommand } from './FesterCommand.js';

const positive = t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(1)]);
const KINDS = ['physical', 'vm', 'container'] as const;

/** A node id from the host name: the protocol allows letters, digits, `.`, `_`, `-`. */
function defaultId(): string {
  const id = hostname().replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63);
  return id || 'agent';
}

function list(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean);
}

export class AgentCommand extends FesterCommand {
  static override paths = [['agent']];
  static override usage = FesterCommand.Usage({
    description: 'Run a farm agent: offer this machine\'s verified toolchains to a coordinator and run its actions',
    details: `
      Connects out to the coordinator (http:// with the farm token, https:// with farm
      certificates from --tls), registers this node's facts and the toolchains that pass a
      probe compile, heartbeats, and runs leased actions in <work-dir>/actions/, under
      bubblewrap when it works here. Reconnects by itself when the coordinator goes away.
      Runs until SIGINT or SIGTERM. See docs/farm-agent.md.
    `,
    examples: [
      ['Token mode', 'FESTER_FARM_TOKEN=$(cat .fester-farm/token) fester agent --coordinator http://build-1.lan:7420'],
      ['mTLS with its own certificate', 'fester agent --coordinator https://build-1.lan:7420 --tls /etc/fester/farm --cert-name board-7'],
      ['A production machine lending spare cycles', 'fester agent --coordinator http://build-1.lan:7420 --production-allow firmware --nice 10 --memory 2G --slots 2'],
    ],
  });

  coordinator = Option.String('--coordinator', { required: true, description: 'Coordinator URL (http://host:port or https://host:port)' });
  id = Option.String('--id', { description: 'Node id (default: the host name)' });
  workDir = Option.String('--work-dir', { description: 'Action dirs, blob store, toolchain digests (default: <cache>/agent/<id>)' });
  slots = Option.String('--slots', { validator: positive, description: 'Actions at once (default: cores)' });
  kind = Option.String('--kind', { validator: t.isEnum(KINDS), description: 'physical, vm or container (default: detected)' });
  labels = Option.Array('--label', [], { description: 'key=value label for placement policies (repeatable)' });
  sysfsRoot = Option.String('--sysfs-root', '/sys', { description: 'Where temperatures are read' });
  casMax = Option.String('--cas-max-size', '10G', { description: 'Cap of the local blob store (least recently used blobs go first)' });
  productionAllow = Option.String('--production-allow', { description: 'Production node: only these projects (comma-separated) may run here' });
  nice = Option.String('--nice', { validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(-20, 19)]), description: 'nice level for every action' });
  memory = Option.String('--memory', { description: 'Address-space limit per action (prlimit --as), e.g. 2G' });
  productionSlots = Option.String('--production-slots', { validator: positive, description: 'As a production node, at most this many actions at once (caps --slots)' });
  token = Option.String('--token', { description: 'Farm token for http:// (default: $FESTER_FARM_TOKEN)' });
  tls = Option.String('--tls', { description: 'Folder with ca.pem and this agent\'s certificate (from `fester farm init`)' });
  certName = Option.String('--cert-name', 'agent', { description: 'Base name of the certificate files in --tls (<name>.pem, <name>.key)' });
  heartbeatMs = Option.String('--heartbeat-ms', { validator: positive, description: 'Heartbeat interval (default: what the coordinator says)' });
  clockOffsetMs = Option.String('--clock-offset-ms', { validator: t.isNumber(), hidden: true });
  sandbox = Option.Boolean('--sandbox', true, { description: 'Run actions under bubblewrap when it works (--no-sandbox: never)' });
  targets = Option.String('--targets', { description: 'Offer only these targets (comma-separated; default: every known target)' });

  async run(): Promise<number> {
    const ep = farmEndpoint({ url: this.coordinator, token: this.token, tls: this.tls ? resolve(this.tls) : undefined, certName: this.certName }, 'agent');
    const id = this.id ?? defaultId();
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(id)) {
      throw new FesterError('FE0103', { message: `--id: "${id}" is not a node id`, hint: 'use letters, digits, . _ - (at most 63), starting with a letter or digit' });
    }
    const labels: Record<string, string> = {};
    for (const l of this.labels) {
      const eq = l.indexOf('=');
      if (eq < 1) throw new FesterError('FE0103', { message: `--label wants key=value, got "${l}"`, hint: 'e.g. --label rack=b2' });
      labels[l.slice(0, eq)] = l.slice(eq + 1);
    }
    const memoryBytes = this.memory === undefined ? undefined : parseSize(this.memory, '--memory');
    const allow = list(this.productionAllow);
    const production: ProductionGuard | undefined = allow
      ? { allow, ...(this.nice !== undefined ? { nice: this.nice } : {}), ...(memoryBytes ? { memoryBytes } : {}), ...(this.productionSlots ? { slots: this.productionSlots } : {}) }
      : undefined;
    const agent = new Agent({
      coordinator: ep, id, labels,
      workDir: resolve(this.workDir ?? join(defaultCacheDir(), 'agent', id)),
      slots: this.slots ?? availableParallelism(),
      ...(this.kind ? { kind: this.kind } : {}),
      sysfsRoot: this.sysfsRoot,
      casMaxBytes: parseSize(this.casMax, '--cas-max-size'),
      ...(production ? { production } : { limits: { nice: this.nice, memoryBytes } }),
      ...(this.heartbeatMs ? { heartbeatMs: this.heartbeatMs } : {}),
      ...(this.clockOffsetMs !== undefined ? { clockOffsetMs: this.clockOffsetMs } : {}),
      sandbox: this.sandbox,
      ...(this.targets !== undefined ? { targets: list(this.targets) } : {}),
      log: (line) => this.context.stderr.write(`${line}\n`),
    });
    await agent.start();
    const sig = await new Promise<NodeJS.Signals>((done) => {
      process.once('SIGINT', () => done('SIGINT'));
      process.once('SIGTERM', () => done('SIGTERM'));
    });
    // A second signal while stopping means "now": leave without waiting for actions.
    const hurry = () => process.exit(130);
    process.once('SIGINT', hurry);
    process.once('SIGTERM', hurry);
    this.context.stderr.write(`agent ${id}: ${sig} received\n`);
    await agent.stop();
    return 0;
  }
}
