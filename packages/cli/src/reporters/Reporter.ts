import type { Writable } from 'node:stream';
import type { BuildResult, Compiler, FesterEvent } from '@fester/core';

export interface ReporterOptions {
  json: boolean;
  stdout: Writable;
  stderr: Writable;
  cwd: string;
  /** Several builds in one run (watch): keep the dashboard up between them. */
  persistent?: boolean;
}

/** Consumes the journal events of every build of a compiler (DESIGN §7). */
export interface Reporter {
  attach(compiler: Compiler): void;
  /** After the build (result undefined when it threw): flush, unmount, print a summary. */
  done(result: BuildResult | undefined): Promise<void>;
  /** End of a persistent run: release the terminal. */
  close?(): Promise<void>;
}

/** Tap every build's `event` hook. */
export function onEvents(compiler: Compiler, name: string, fn: (ev: FesterEvent) => void): void {
  compiler.hooks.build.tap(name, (build) => build.hooks.event.tap(name, fn));
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}

export function summary(r: BuildResult): string {
  const c = r.counts;
  const parts = [`${c.executed} run`, `${c.cached} from cache`, `${c.upToDate} up to date`];
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.skipped) parts.push(`${c.skipped} not run`);
  return `${r.status === 'success' ? 'built' : r.status === 'interrupted' ? 'interrupted' : 'FAILED'}: ${c.total} actions — ${parts.join(', ')} in ${seconds(r.durationMs)}`;
}
