import { join, resolve } from 'node:path';
import { Option } from 'clipanion';
import * as t from 'typanion';
import { Compiler, Coordinator, FesterError, Journal, loadConfig, loadTlsFiles, newSessionId, VERSION } from '@fester/core';
import { withDefaultPlugins } from '../defaultPlugins.js';
import { FesterCommand } from './FesterCommand.js';

const int = t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(1)]);

export class CoordinatorCommand extends FesterCommand {
  static override paths = [['coordinator']];
  static override usage = FesterCommand.Usage({
    description: 'Run a farm coordinator: node table, leases, blob store, API',
    details: `
      Agents connect to it (\`fester agent --coordinator <url>\`) and builds are sent to it
      (\`fester build --farm <url>\`). With --tls it speaks HTTPS and requires farm
      certificates of every peer (mTLS); otherwise every request must be signed with the farm
      token. Node facts and policies persist in --data-dir; the session journal is in
      <data-dir>/sessions/. See docs/farm.md.
    `,
    examples: [
      ['Token mode on all interfaces', 'FESTER_FARM_TOKEN=$(cat .fester-farm/token) fester coordinator --listen 0.0.0.0:7420'],
      ['mTLS', 'fester coordinator --listen 0.0.0.0:7420 --tls /etc/fester/farm'],
    ],
  });

  listen = Option.String('--listen', '127.0.0.1:7420', { description: 'host:port to listen on (port 0 picks a free one)' });
  dataDir = Option.String('--data-dir', '.fester-coordinator', { description: 'Node table, policies, blob store and journal' });
  token = Option.String('--token', { description: 'Farm token for http:// (default: $FESTER_FARM_TOKEN)' });
  tls = Option.String('--tls', { description: 'Folder from `fester farm init`: serve HTTPS with coordinator.pem and require farm certificates' });
  heartbeatMs = Option.String('--heartbeat-ms', { validator: int, description: 'Agent heartbeat interval (default 1000)' });
  timeoutMs = Option.String('--timeout-ms', { validator: int, description: 'Silence before a node is a dropout (default 5000)' });
  clockMs = Option.String('--clock-threshold-ms', { validator: int, description: 'Clock offset that quarantines a node (default 500)' });
  keepSessions = Option.String('--keep-sessions', { description: 'Session journals kept under <data-dir>/sessions, newest first: a number or "all" (default 1000)' });
  privateRead = Option.Boolean('--private-read', false, { description: 'Require authentication for the read-only API, metrics and UI too' });
  config = Option.String('-c,--config', { description: 'festerconfig.* with plugins for the coordinator (metrics, UI)' });

  async run(): Promise<number> {
    const m = /^(.*):(\d+)$/.exec(this.listen);
    if (!m) throw new FesterError('FE0815', { message: `--listen wants host:port, got "${this.listen}"` });
    const token = this.token ?? process.env.FESTER_FARM_TOKEN;
    if (!this.tls && !token) throw new FesterError('FE0802', { message: 'a coordinator needs a farm token or --tls', hint: 'run `fester farm init` and pass --tls <dir>, or set FESTER_FARM_TOKEN' });
    const auth = this.tls ? { tls: loadTlsFiles(resolve(this.tls), 'coordinator') } : { token: token! };
    const keep = this.keepSessions === undefined || this.keepSessions === 'all' ? this.keepSessions : Number(this.keepSessions);
    if (typeof keep === 'number' && !(Number.isInteger(keep) && keep > 0)) throw new FesterError('FE0103', { message: `--keep-sessions "${this.keepSessions}" is not a number of sessions`, hint: 'give a whole number of at least 1, or all' });
    const dataDir = resolve(this.dataDir);
    const { config, file } = await loadConfig(process.cwd(), this.config);
    const session = newSessionId();
    // The coordinator is the farm: a `farm:` setting in the same festerconfig is for builds.
    const compiler = new Compiler({ config: withDefaultPlugins({ ...config, farm: undefined }), configFile: file, journal: new Journal(join(dataDir, 'sessions', `${session}.jsonl`), session) });
    const coordinator = new Coordinator({
      compiler, dataDir, host: m[1]!, port: Number(m[2]), auth, privateRead: this.privateRead, keepSessions: keep ?? config.journal?.keep,
      timings: { ...(this.heartbeatMs ? { heartbeatMs: this.heartbeatMs } : {}), ...(this.timeoutMs ? { timeoutMs: this.timeoutMs } : {}), ...(this.clockMs ? { clockThresholdMs: this.clockMs } : {}) },
    });
    const addr = await coordinator.start();
    // Like a build's, the session journal opens with who wrote it (the API tells a live
    // coordinator from a dead one by this pid).
    compiler.emit({ type: 'session.started', version: VERSION, cwd: process.cwd(), pid: process.pid });
    coordinator.pruneSessions();
    this.context.stdout.write(`coordinator listening on ${addr.url} (session ${session}, data ${dataDir})\n`);
    await new Promise<void>((resolveStop) => {
      const stop = () => resolveStop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await coordinator.stop();
    await compiler.close();
    return 0;
  }
}
