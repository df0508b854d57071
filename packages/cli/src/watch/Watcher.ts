import { relative } from 'node:path';
import picomatch from 'picomatch';
import type { FSWatcher } from 'chokidar';
import { buildInputs, isFesterError, type BuildInputs, type BuildResult, type Compiler, type Journal } from '@fester/core';
import { createCompiler } from '../context.js';
import type { Reporter } from '../reporters/Reporter.js';

export interface WatcherOptions {
  file: string;
  config?: string;
  jobs?: number;
  debounceMs: number;
  reporter: Reporter;
  /** Where problems that stop one build (not the watch) are reported. */
  onError(e: unknown): void;
}

/**
 * `fester watch`: one session, one warm Compiler, a rebuild after each burst of changes to
 * something the graph depends on. A failing build or a broken project.yaml does not end the
 * watch; a changed festerconfig reloads the plugins and keeps the session journal.
 */
export class Watcher {
  private compiler?: Compiler;
  private journal?: Journal;
  private fs?: FSWatcher;
  private inputs?: BuildInputs;
  /** The same files as a set: every filesystem event is checked against it. */
  private known = new Set<string>();
  private isSource: (rel: string) => boolean = () => false;
  private pending = new Set<string>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private abort?: AbortController;
  private stopped = false;
  builds = 0;

  constructor(private readonly o: WatcherOptions) {}

  async start(): Promise<void> {
    await this.arm([this.o.file]);
    await this.runBuild(true);
  }

  /**
   * Watch exactly `paths`, and resolve only once chokidar is ready: when a build's result is
   * reported, every input it read is already being watched (no edit falls in a gap).
   */
  private async arm(paths: string[]): Promise<void> {
    const { watch } = await import('chokidar');
    const next = watch(paths, { ignoreInitial: true, ignored: (p: string) => /(^|\/)(\.fester|node_modules|\.git)(\/|$)/.test(p) });
    for (const ev of ['add', 'change', 'unlink'] as const) next.on(ev, (p: string) => this.changed(ev, p));
    await new Promise<void>((r) => next.once('ready', () => r()));
    const old = this.fs;
    this.fs = next;
    await old?.close();
  }

  private changed(ev: string, path: string): void {
    if (this.stopped) return;
    const known = this.known.has(path);
    const rel = this.inputs ? relative(this.inputs.root, path) : path;
    if (!known && !(ev !== 'change' && this.isSource(rel)) && path !== this.o.file) return;
    this.pending.add(path);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.o.debounceMs);
  }

  private async flush(): Promise<void> {
    if (this.running) { await this.running; }
    if (this.stopped || this.pending.size === 0) return;
    const changed = [...this.pending];
    this.pending.clear();
    const configChanged = this.compiler?.configFile ? changed.includes(this.compiler.configFile) : false;
    await this.runBuild(configChanged);
    if (this.pending.size) this.timer = setTimeout(() => void this.flush(), this.o.debounceMs);
  }

  private runBuild(reload: boolean): Promise<void> {
    const run = async () => {
      try {
        if (reload || !this.compiler) {
          await this.compiler?.close(true);
          this.compiler = await createCompiler(this.o.file, { config: this.o.config, jobs: this.o.jobs, journal: this.journal });
          this.o.reporter.attach(this.compiler);
        }
        this.abort = new AbortController();
        this.builds++;
        const build = this.compiler.createBuild({ file: this.o.file, signal: this.abort.signal });
        let result: BuildResult | undefined;
        try {
          result = await build.run();
        } finally {
          this.journal = this.compiler.sessionJournal;
          await this.watchInputs(buildInputs(build));
          await this.o.reporter.done(result);
        }
      } catch (e) {
        if (!isFesterError(e)) throw e;
        // A broken project.yaml or config: report it and wait for the next save.
        this.o.onError(e);
        if (e.code.startsWith('FE02')) this.compiler = undefined;
      }
    };
    this.running = run().finally(() => { this.running = undefined; });
    return this.running;
  }

  /** Watch what the last build read; after a failed resolve keep watching what was watched. */
  private async watchInputs(next: BuildInputs | undefined): Promise<void> {
    if (!next) return;
    const now = [...new Set([this.o.file, ...next.files, ...next.dirs])].sort();
    const before = this.inputs ? [...new Set([this.o.file, ...this.inputs.files, ...this.inputs.dirs])].sort() : [];
    this.inputs = next;
    this.known = new Set(next.files);
    this.isSource = next.patterns.length ? picomatch(next.patterns) : () => false;
    if (now.length !== before.length || now.some((p, i) => p !== before[i])) await this.arm(now);
  }

  /** Ctrl-C: stop a running build (its partial outputs are removed), close watcher and journal. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort?.abort();
    await this.running?.catch(() => {});
    await this.fs?.close();
    await this.compiler?.close();
  }
}
