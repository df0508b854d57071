import { Option } from 'clipanion';
import * as t from 'typanion';
import { isFesterError } from '@fester/core';
import { resolveProjectFile } from '../context.js';
import { pickReporter } from '../reporters/pickReporter.js';
import { Watcher } from '../watch/Watcher.js';
import { FesterCommand } from './FesterCommand.js';

export class WatchCommand extends FesterCommand {
  static override paths = [['watch']];
  static override usage = FesterCommand.Usage({
    description: 'Build, then rebuild what changed whenever a source, header, project.yaml or festerconfig changes',
    details: `
      One session and one warm pipeline for the whole watch. Changes are debounced: a burst of
      saves gives one build. A failing build or a broken project.yaml is reported and the watch
      goes on; the next save recovers. A changed festerconfig reloads plugins. Ctrl-C stops a
      running build (removing its partial outputs) and exits 0.
    `,
    examples: [['Watch ./project.yaml', 'fester watch'], ['Watch with JSON events', 'fester watch fixtures/hello/project.yaml --json']],
  });

  project = Option.String({ required: false, name: 'project.yaml' });
  jobs = Option.String('-j,--jobs', { description: 'Parallel actions (default: cores)', validator: t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(1)]) });
  json = Option.Boolean('--json', false, { description: 'Print journal events as JSON lines' });
  config = Option.String('-c,--config', { description: 'Path of festerconfig.*' });
  debounce = Option.String('--debounce', '100', { description: 'Quiet time in ms before a rebuild', validator: t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(0)]) });

  async run(): Promise<number> {
    const file = resolveProjectFile(this.project);
    const reporter = await pickReporter({ json: this.json, stdout: this.context.stdout, stderr: this.context.stderr, cwd: process.cwd(), persistent: true });
    const watcher = new Watcher({
      file, config: this.config, jobs: this.jobs, debounceMs: Number(this.debounce), reporter,
      onError: (e) => {
        if (this.json && isFesterError(e)) this.context.stdout.write(`${JSON.stringify({ type: 'error', ...e.toJSON() })}\n`);
        else this.report(e);
      },
    });
    const stopped = new Promise<void>((resolve) => {
      const stop = () => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await watcher.start();
    if (!this.json) this.context.stderr.write('watching for changes (Ctrl-C to stop)\n');
    await stopped;
    await watcher.stop();
    await reporter.close?.();
    if (!this.json) this.context.stderr.write(`stopped after ${watcher.builds} builds\n`);
    return 0;
  }
}
