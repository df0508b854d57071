import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventPayload, FesterEvent } from '../../src/journal/events.js';

/**
 * Journals written by hand, line by line, exactly as the Journal class writes them: the API
 * tests need sessions of any size and shape (10k actions, farm dropouts, torn tails) without
 * running a compiler.
 */
export class SyntheticSession {
  readonly path: string;
  private seq = 0;
  private ts: number;
  private buildNo = 0;
  build = '';

  constructor(readonly dir: string, readonly session: string, t0 = Date.UTC(2026, 10, 25, 10)) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `${session}.jsonl`);
    writeFileSync(this.path, '');
    this.ts = t0;
  }

  emit(payload: EventPayload, opts: { causes?: number[]; build?: string | null; dt?: number } = {}): FesterEvent {
    this.ts += opts.dt ?? 1;
    const build = opts.build === null ? undefined : opts.build ?? (this.build || undefined);
    const ev = { seq: ++this.seq, ts: this.ts, session: this.session, ...(build ? { build } : {}), ...(opts.causes?.length ? { causes: opts.causes } : {}), ...payload } as FesterEvent;
    appendFileSync(this.path, `${JSON.stringify(ev)}\n`);
    return ev;
  }

  startBuild(project = 'demo', actions = 0): string {
    this.build = `${this.session}.${++this.buildNo}`;
    if (this.seq === 0) this.emit({ type: 'session.started', version: '0.1.0', cwd: '/tmp', pid: process.pid }, { build: null });
    this.emit({ type: 'build.started', file: `/src/${project}/project.yaml`, targets: [], jobs: 2, nodes: ['local'] });
    this.emit({ type: 'toolchain.resolved', target: 'host', digest: 'tc'.padEnd(64, '0'), version: 'gcc 12.2.0', tools: {} });
    this.emit({ type: 'graph.resolved', project, actions, edges: 0, artifacts: [], targets: ['host'], durationMs: 1 });
    return this.build;
  }

  /** One action that misses, runs and succeeds (or fails with stderr). */
  run(action: string, opts: { fail?: string; changed?: { path: string; before?: string; after?: string }[]; node?: string; argv?: string[] } = {}): FesterEvent {
    const node = opts.node ?? 'local';
    this.emit({ type: 'cache.miss', action, key: 'k'.repeat(64), reason: opts.changed ? 'inputs-changed' : 'no-previous-build', changed: opts.changed ?? [] });
    this.emit({ type: 'action.queued', action, kind: 'compile', target: 'host' });
    this.emit({ type: 'action.started', action, node, argv: opts.argv ?? ['gcc', '-c', action], cwd: '.' });
    if (opts.fail !== undefined) {
      return this.emit({ type: 'action.finished', action, node, exitCode: 1, durationMs: 5, status: 'failed', stderr: opts.fail, infrastructure: false, message: 'exit code 1' });
    }
    return this.emit({ type: 'action.finished', action, node, exitCode: 0, durationMs: 5, status: 'success', outputs: [{ path: `build/${action}`, digest: 'd'.repeat(64) }], headers: [] });
  }

  finish(status: 'success' | 'failed' | 'interrupted', causes?: number[]): FesterEvent {
    return this.emit({ type: 'build.finished', status, durationMs: 100, counts: {} }, { causes });
  }

  /** Half a line, as a crash mid-write leaves it. */
  tear(): void {
    appendFileSync(this.path, '{"seq":99999,"ts":1,"sess');
  }
}
