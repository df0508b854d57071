import { join } from 'node:path';
import { ActionGraph } from './ActionGraph.js';
import { isFesterError } from './errors/FesterError.js';
import type { ActionSpec } from './types.js';
import type { Compiler } from './Compiler.js';
import { FesterError } from './errors/FesterError.js';
import { closeHashPool } from './fingerprint/hash.js';
import { FileDigests } from './fingerprint/FileDigests.js';
import { createBuildHooks, hasTaps, type BuildHooks } from './hooks.js';
import type { EventPayload, FesterEvent } from './journal/events.js';
import { Journal } from './journal/Journal.js';
import type { ProjectSource } from './project/types.js';
import { BuildLoop } from './runner/BuildLoop.js';
import { loadState, saveState, type StateData } from './state/BuildState.js';
import { baseEnv } from './toolchain/baseEnv.js';
import { VERSION } from './version.js';
import type { BuildResult, Toolchain } from './types.js';

export interface BuildRequest {
  /** Path of the project file (project.yaml). */
  file: string;
  targets?: readonly string[];
  keepGoing?: boolean;
  /** Build even for toolchains that have not validated (outputs are still ELF-checked). */
  skipToolchainValidation?: boolean;
  /** Aborting stops new work, kills running commands and removes their partial outputs. */
  signal?: AbortSignal;
  /** false: record events in memory only (inspection commands such as `fester toolchain`). */
  journal?: boolean;
  /** A production build: placement guards (e.g. qcow2 rollback tests) apply. Default: festerconfig `production`. */
  production?: boolean;
}

/** One run of the pipeline over a project (webpack's Compilation). */
export class Build {
  readonly hooks: BuildHooks = createBuildHooks();
  readonly compiler: Compiler;
  readonly request: BuildRequest;
  readonly id: string;
  readonly signal: AbortSignal;
  readonly journal: Journal;
  project?: ProjectSource;
  graph?: ActionGraph;
  state?: StateData;
  /** The action records saved at the end of this build (headers included), for watchers. */
  finalRecords?: StateData['actions'];
  digests?: FileDigests;
  /**
   * Volatile cache tiers (tmpfs) holding this build's persistent writes until the sync barrier;
   * while one is listed, stores go to volatile tiers only and that tier writes them back.
   */
  readonly writeBackTiers = new Set<string>();
  /** Target → toolchain digest of this build, for schedulers (a node must hold the same). */
  readonly toolchainDigests = new Map<string, string>();
  private readonly toolchains = new Map<string, Promise<Toolchain>>();

  constructor(compiler: Compiler, request: BuildRequest) {
    this.compiler = compiler;
    this.request = request;
    this.id = compiler.nextBuildId();
    this.signal = request.signal ?? new AbortController().signal;
    this.journal = request.journal === false ? new Journal(null, compiler.sessionId) : compiler.journalFor(request.file);
  }

  /** Append an event to the journal and hand it to every `event` tap. */
  emit(payload: EventPayload, causes?: number[]): FesterEvent {
    const ev = this.journal.append(payload, this.id, causes);
    this.hooks.event.call(ev);
    this.compiler.hooks.event.call(ev);
    return ev;
  }

  /** The toolchain of a target, resolved once per build through `resolveToolchain`. */
  toolchain(target: string, origin?: { file: string; line?: number; col?: number }): Promise<Toolchain> {
    let p = this.toolchains.get(target);
    if (!p) {
      p = this.hooks.resolveToolchain.promise({ target, origin }).then(async (tc) => {
        if (!tc) throw new FesterError('FE0303', { message: `no toolchain for target "${target}"`, location: origin });
        this.emit({ type: 'toolchain.resolved', target, digest: tc.digest, version: tc.version, tools: { ...tc.tools } });
        await this.hooks.toolchainResolved.promise(tc);
        return tc;
      });
      this.toolchains.set(target, p);
    }
    return p;
  }

  /** The toolchain if one was resolved for the target, else a minimal environment. */
  async envFor(target: string): Promise<{ digest: string; env: Record<string, string>; toolchain?: Toolchain }> {
    const p = this.toolchains.get(target);
    if (!p) return { digest: '', env: baseEnv() };
    const tc = await p;
    return { digest: tc.digest, env: { ...tc.env }, toolchain: tc };
  }

  get outDir(): string {
    return join(this.project!.root, this.project!.out);
  }

  private get statePath(): string {
    return join(this.outDir, '.fester', 'state.json');
  }

  async run(): Promise<BuildResult> {
    const t0 = performance.now();
    const { compiler } = this;
    // The first event of a session, emitted like any other so reporters and --json see it.
    if (this.journal.lastSeq === 0) {
      this.emit({ type: 'session.started', version: VERSION, cwd: process.cwd(), pid: process.pid });
      if (this.journal === compiler.sessionJournal) compiler.pruneJournals();
    }
    this.emit({ type: 'build.started', file: this.request.file, targets: [...(this.request.targets ?? [])], jobs: compiler.jobs, nodes: compiler.nodes.map((n) => n.id) });
    let resolved;
    try {
      await compiler.hooks.beforeBuild.promise(this);
      resolved = await this.hooks.resolve.promise({ file: this.request.file, targets: this.request.targets });
      if (!resolved) throw new FesterError('FE0003', { message: `no resolver understands ${this.request.file}`, hint: 'give a project.yaml' });
      this.project = resolved.source;
      const specs = await this.hooks.afterResolve.promise(resolved.actions);
      this.graph = buildGraph(specs, resolved.source);
    } catch (e) {
      // A build refused before its first action still ends in the journal, with the reason.
      if (isFesterError(e)) {
        this.emit({ type: 'build.finished', status: 'failed', durationMs: performance.now() - t0, counts: {}, error: { code: e.code, message: e.message } });
        this.journal.flush();
      }
      throw e;
    }
    const targets = [...new Set(this.graph.actions.map((a) => a.target))];
    this.emit({
      type: 'graph.resolved',
      actions: this.graph.actions.length,
      edges: this.graph.edgeCount,
      artifacts: (resolved.source.data.artifacts ?? []).map((a) => a.name),
      targets,
      durationMs: performance.now() - t0,
      project: resolved.source.data.name,
    });
    this.state = loadState(this.statePath);
    this.digests = new FileDigests(this.project.root, this.state.files, this.state.savedAt);
    await this.hooks.snapshot.promise({ phase: 'before', outDir: this.outDir });
    const loop = new BuildLoop(this);
    let outcome;
    try {
      outcome = await loop.run();
    } finally {
      this.finalRecords = loop.records();
      // A no-op build leaves the state as it was: rewriting megabytes of it costs as much as the build.
      const sameActions = Object.keys(this.finalRecords).length === Object.keys(this.state.actions).length;
      if (loop.changed || this.digests.dirty || !sameActions || this.state.savedAt === 0) {
        saveState(this.statePath, { v: 1, savedAt: 0, files: this.digests.records(), actions: this.finalRecords });
      }
      await closeHashPool();
    }
    if (hasTaps(this.hooks.syncBarrier)) {
      const t = performance.now();
      await this.hooks.syncBarrier.promise({ status: outcome.status });
      this.emit({ type: 'cache.barrier', durationMs: performance.now() - t });
    }
    const durationMs = performance.now() - t0;
    if (outcome.status === 'success') await this.hooks.snapshot.promise({ phase: 'after', outDir: this.outDir });
    // A failed build is caused by its failures (the action.finished events), for autopsy and the causal graph.
    const causes = outcome.status === 'success' ? undefined : outcome.failures.flatMap((f) => (f.seq === undefined ? [] : [f.seq]));
    this.emit({ type: 'build.finished', status: outcome.status, durationMs, counts: { ...outcome.counts } }, causes);
    const result: BuildResult = { buildId: this.id, sessionId: compiler.sessionId, ...outcome, durationMs, journalPath: this.journal.path ?? '' };
    await compiler.hooks.afterBuild.promise(this, result);
    this.journal.flush();
    return result;
  }
}

/** Build the graph; a cycle or clash among raw actions points at the first one in project.yaml. */
function buildGraph(specs: ActionSpec[], source: ProjectSource): ActionGraph {
  try {
    return new ActionGraph(specs);
  } catch (e) {
    if (!isFesterError(e) || e.location) throw e;
    const subject = specs.find((s) => e.subjects.includes(s.id) && typeof s.meta.yamlIndex === 'number');
    if (!subject) throw e.at({ file: source.file });
    throw e.at({ file: source.file, ...source.locate(['actions', subject.meta.yamlIndex as number]) });
  }
}
