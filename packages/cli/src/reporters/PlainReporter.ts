import type { BuildResult, Compiler, FesterEvent } from '@fester/core';
import { onEvents, seconds, summary, type Reporter, type ReporterOptions } from './Reporter.js';
import { schedulerLine } from './schedulerLines.js';

/** One line per action that did something, failures with their stderr; for logs and CI. */
export class PlainReporter implements Reporter {
  private total = 0;
  private settled = 0;
  constructor(private readonly o: ReporterOptions) {}

  attach(compiler: Compiler): void {
    onEvents(compiler, 'fester:plain-reporter', (ev) => this.on(ev));
  }

  private line(s: string): void { this.o.stdout.write(`${s}\n`); }

  private on(ev: FesterEvent): void {
    switch (ev.type) {
      case 'graph.resolved':
        this.total = ev.actions;
        this.line(`fester: ${ev.project}: ${ev.actions} actions for ${ev.targets.join(', ') || 'no target'}`);
        break;
      case 'action.uptodate': this.settled++; break;
      case 'cache.hit': this.line(`[${++this.settled}/${this.total}] cached  ${ev.action} (${ev.tier})`); break;
      case 'cache.corrupt': this.line(`warning FE0501: corrupt ${ev.tier} cache entry ${ev.key.slice(0, 12)}…: ${ev.message}; removed, rebuilding`); break;
      case 'cache.error': this.line(`warning: cache ${ev.tier}: ${ev.message}`); break;
      case 'cache.fallback': this.line(`warning ${ev.code}: cache ${ev.tier}: ${ev.message}`); break;
      case 'cache.warning': this.line(`warning ${ev.code}: cache ${ev.tier}: ${ev.message}`); break;
      case 'action.finished':
        this.settled++;
        if (ev.status === 'success') {
          this.line(`[${this.settled}/${this.total}] built   ${ev.action} ${seconds(ev.durationMs)}`);
          if (ev.stderr) this.o.stdout.write(indent(ev.stderr));
        } else {
          this.o.stderr.write(`FAILED ${ev.action} (${ev.message ?? `exit ${ev.exitCode}`}) on ${ev.node}\n`);
          if (ev.stderr) this.o.stderr.write(indent(ev.stderr));
        }
        break;
      default: {
        const l = schedulerLine(ev);
        if (l) this.line(l);
        break;
      }
    }
  }

  async done(result: BuildResult | undefined): Promise<void> {
    if (!result) return;
    this.line(summary(result));
  }
}

function indent(text: string): string {
  return text.trimEnd().split('\n').map((l) => `    ${l}`).join('\n') + '\n';
}
