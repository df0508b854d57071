import type { BuildResult, Compiler } from '@fester/core';
import { onEvents, type Reporter, type ReporterOptions } from './Reporter.js';

/** Every journal event as a JSON line on stdout, then one `result` line: for scripts. */
export class JsonReporter implements Reporter {
  constructor(private readonly o: ReporterOptions) {}

  attach(compiler: Compiler): void {
    onEvents(compiler, 'fester:json-reporter', (ev) => this.o.stdout.write(`${JSON.stringify(ev)}\n`));
  }

  async done(result: BuildResult | undefined): Promise<void> {
    if (result) this.o.stdout.write(`${JSON.stringify({ type: 'result', ...result })}\n`);
  }
}
