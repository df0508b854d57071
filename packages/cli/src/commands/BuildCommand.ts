import { Option } from 'clipanion';
import * as t from 'typanion';
import { FesterError, forceStop, isFesterError } from '@fester/core';
import { createCompiler, resolveProjectFile } from '../context.js';
import { pickReporter } from '../reporters/pickReporter.js';
import { abortOnSignals } from '../signals.js';
import { FarmCommand } from './FarmCommand.js';
import { startApiServer, type ApiServer } from '../serve/ApiServer.js';

export class BuildCommand extends FarmCommand {
  static override paths = [['build']];
  static override usage = FarmCommand.Usage({
    description: 'Build a project: every artifact for every target, from cache where possible',
    details: `
      Reads project.yaml (or the file given), finds festerconfig.* next to it, and runs the
      pipeline on the embedded default: a local coordinator, one local agent and the local
      cache. Every decision is written to the session journal in .fester/sessions/ next to
      project.yaml.

      Exit codes: 0 built, 1 an action failed, 2 bad project, config or usage, 3 missing
      tool or toolchain, 4 a plugin failed, 130 interrupted.
    `,
    examples: [
      ['Build ./project.yaml with all cores', 'fester build'],
      ['Build with 4 jobs, going on after failures', 'fester build fixtures/hello/project.yaml -j 4 --keep-going'],
      ['Machine-readable events', 'fester build --json'],
      ['On a farm (token mode)', 'FESTER_FARM_TOKEN=… fester build --farm http://10.0.0.5:7420'],
    ],
  });

  project = Option.String({ required: false, name: 'project.yaml' });
  jobs = Option.String('-j,--jobs', { description: 'Parallel actions (default: cores)', validator: t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(1)]) });
  target = Option.Array('--target', { description: 'Build only these targets (repeatable)' });
  json = Option.Boolean('--json', false, { description: 'Print journal events as JSON lines' });
  keepGoing = Option.Boolean('-k,--keep-going', false, { description: 'Go on with independent actions after a failure' });
  skipValidation = Option.Boolean('--skip-toolchain-validation', false, { description: 'Build for toolchains that have not validated (outputs are still ELF-checked)' });
  mode = Option.String('--mode', { description: 'Scheduler mode: unified (default), thermal, cache-first, target-isolated, intelligence (over festerconfig scheduler.mode)' });
  config = Option.String('-c,--config', { description: 'Path of festerconfig.* (default: searched from the project folder)' });
  production = Option.Boolean('--production', { description: 'A production build: nodes that fail placement guards (qcow2 rollback tests) take none of its actions' });
  serve = Option.Boolean('--serve', false, { description: 'Serve the API, /metrics and the web UI while the build runs (docs/api.md)' });
  serveKeep = Option.Boolean('--serve-keep', false, { description: 'Like --serve, and keep serving after the build until SIGINT/SIGTERM' });
  port = Option.String('--port', '8077', { validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(0, 65535)]), description: 'Port for --serve (0: any free port, printed)' });
  host = Option.String('--host', '127.0.0.1', { description: 'Address for --serve' });

  async run(): Promise<number> {
    const file = resolveProjectFile(this.project);
    const compiler = await createCompiler(file, { config: this.config, jobs: this.jobs, mode: this.mode, farm: { url: this.farm, token: this.token, tls: this.tls, certName: this.certName } });
    const reporter = await pickReporter({ json: this.json, stdout: this.context.stdout, stderr: this.context.stderr, cwd: process.cwd() });
    reporter.attach(compiler);
    const signals = abortOnSignals(() => { forceStop(); compiler.flushJournal(); });
    let server: ApiServer | undefined;
    let finished = false;
    try {
      if (this.serve || this.serveKeep) {
        server = await startApiServer(compiler, { host: this.host, port: Number(this.port) });
        // stderr: stdout belongs to the reporter (--json lines).
        this.context.stderr.write(`fester: serving ${server.url} (session ${compiler.sessionId}; GET / lists the routes)\n`);
      }
      const result = await compiler.run({ file, targets: this.target, keepGoing: this.keepGoing, signal: signals.signal, skipToolchainValidation: this.skipValidation, production: this.production });
      await reporter.done(result);
      finished = true;
      if (result.status === 'success') return 0;
      if (!this.json) {
        const err = result.status === 'interrupted'
          ? new FesterError('FE0002', { message: `interrupted by ${signals.received() ?? 'a signal'}; running commands were stopped and their partial outputs removed` })
          : new FesterError('FE0403', { message: `${result.failures.length} action${result.failures.length === 1 ? '' : 's'} failed, first ${result.failures[0]?.action}`, hint: this.keepGoing ? 'fix the errors shown above' : 'fix the error shown above; independent actions were not started (--keep-going builds them)' });
        this.context.stderr.write(`${err.format()}\n`);
      }
      return result.status === 'interrupted' ? 130 : 1;
    } catch (e) {
      await reporter.done(undefined);
      if (signals.received() && !isFesterError(e)) return 130;
      throw e;
    } finally {
      if (server) {
        if (this.serveKeep && finished && !signals.signal.aborted) {
          this.context.stderr.write(`fester: build done; still serving ${server.url} until SIGINT or SIGTERM\n`);
          await new Promise((done) => signals.signal.addEventListener('abort', done, { once: true }));
        }
        await server.close();
      }
      signals.dispose();
      await compiler.close();
    }
  }
}
