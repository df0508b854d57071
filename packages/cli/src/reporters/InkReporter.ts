import React from 'react';
import { render, type Instance } from 'ink';
import type { BuildResult, Compiler } from '@fester/core';
import { Dashboard } from '../ui/Dashboard.js';
import { DashboardState } from '../ui/dashboardState.js';
import { onEvents, summary, type Reporter, type ReporterOptions } from './Reporter.js';

/** The Ink dashboard on a TTY; imported lazily so non-TTY runs never load React. */
export class InkReporter implements Reporter {
  private readonly state = new DashboardState();
  private ink?: Instance;
  constructor(private readonly o: ReporterOptions) {}

  attach(compiler: Compiler): void {
    onEvents(compiler, 'fester:ink-reporter', (ev) => this.state.apply(ev));
    if (this.ink) return;
    this.ink = render(React.createElement(Dashboard, { state: this.state }), { stdout: this.o.stdout as NodeJS.WriteStream, exitOnCtrlC: false, patchConsole: false });
  }

  async done(result: BuildResult | undefined): Promise<void> {
    if (this.o.persistent) {
      // Watch mode: the dashboard stays; the summary and failures show inside it.
      this.state.lastSummary = result ? summary(result) : 'build stopped by an error (see above)';
      this.state.touch();
      return;
    }
    await this.close();
    if (!result) return;
    for (const f of result.failures) {
      this.o.stderr.write(`FAILED ${f.action}: ${f.message}\n${f.stderr ? f.stderr.trimEnd().split('\n').map((l) => `    ${l}`).join('\n') + '\n' : ''}`);
    }
    this.o.stdout.write(`${summary(result)}\n`);
  }

  async close(): Promise<void> {
    this.ink?.rerender(React.createElement(Dashboard, { state: this.state }));
    this.ink?.unmount();
    await this.ink?.waitUntilExit().catch(() => {});
    this.ink = undefined;
  }
}
