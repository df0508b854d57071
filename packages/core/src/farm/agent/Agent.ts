import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import type WebSocket from 'ws';
import { z } from 'zod';
import { CasStore } from '../../cas/CasStore.js';
import { FesterError, isFesterError } from '../../errors/index.js';
import { KNOWN_TARGETS } from '../../project/targets.js';
import { targetSpec } from '../../toolchain/targets.js';
import type { ProductionGuard } from '../../types.js';
import { VERSION } from '../../version.js';
import { openFarmSocket, type FarmEndpoint } from '../httpClient.js';
import { agentMessage, leaseRef, parseFrame, task as taskSchema, type AgentMessage, type LeaseRef, type NodeFacts, type RunResult, type Task } from '../protocol.js';
import { currentLoad, detectKind, machineFacts, readTemps, type NodeKind } from './facts.js';
import { checkToolchain, probeSandbox, runTask, Slots, type Limits } from './runTask.js';
import { verifyToolchains, type ToolchainCheck } from './toolchains.js';
import { ActionDir, clearActionDirs, uploadOutputs } from './workspace.js';
import { makeDirSync } from '../../util/makeDir.js';

export interface AgentOptions {
  coordinator: FarmEndpoint;
  /** Node id: letters, digits, `.`, `_`, `-`. */
  id: string;
  workDir: string;
  /** Actions at once (capped by production.slots). */
  slots: number;
  /** Override the detected kind. */
  kind?: NodeKind;
  labels?: Record<string, string>;
  /** Where temperatures are read (default `/sys`). */
  sysfsRoot?: string;
  /** Cap of the local blob store (default unlimited). */
  casMaxBytes?: number;
  /** Production guard: advertised to the coordinator and enforced here (allow-list, limits). */
  production?: ProductionGuard;
  /** nice/address-space limits without being a production node (production's win). */
  limits?: Limits;
  /** Heartbeat interval; default: what the coordinator's `welcome` says. */
  heartbeatMs?: number;
  /** Added to every timestamp the agent reports (tests simulate a skewed clock with it). */
  clockOffsetMs?: number;
  /** Run actions under bubblewrap when it works here (default true). */
  sandbox?: boolean;
  /** bwrap binary to use instead of the one found in /usr/bin (tests). */
  bwrap?: string;
  /** Offer only these targets (default every known target). */
  targets?: readonly string[];
  /** One line per lifecycle event (default: stderr). */
  log?: (line: string) => void;
}

/** Coordinator → agent frames; extra fields are tolerated so a newer coordinator still works. */
const incoming = z.discriminatedUnion('type', [
  z.object({ type: z.literal('welcome'), node: z.string(), heartbeatMs: z.number().positive(), timeoutMs: z.number(), session: z.string() }),
  z.object({ type: z.literal('ack'), t0: z.number(), t1: z.number(), t2: z.number() }),
  z.object({ type: z.literal('lease'), lease: leaseRef, task: taskSchema }),
  z.object({ type: z.literal('revoke'), lease: leaseRef, reason: z.string() }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);

const MAX_BACKOFF_MS = 2000;
const TRIM_EVERY_MS = 10_000;

interface Held { lease: LeaseRef; ctl: AbortController; revoked?: string }

/**
 * The farm agent daemon: connects out to the coordinator, registers (hello, then the
 * verified toolchains), heartbeats, runs leased tasks in per-lease directories, and comes
 * back by itself when the coordinator restarts. Events: `registered`, `disconnected`,
 * `result` (lease, result), `lease` (lease, task).
 */
export class Agent extends EventEmitter {
  readonly workDir: string;
  private readonly cas: CasStore;
  private readonly slots: Slots;
  private readonly limits: Limits;
  private readonly held = new Map<string, Held>();
  /** Action dirs being deleted in the background (awaited by stop). */
  private readonly removals = new Set<Promise<void>>();
  private readonly stopCtl = new AbortController();
  private ws?: WebSocket;
  private loop?: Promise<void>;
  private heartbeat?: NodeJS.Timeout;
  private session?: string;
  private lastAck?: { t0: number; t1: number; t2: number; t3: number };
  private lastTrim = 0;
  private kind?: NodeKind;
  private verified?: Promise<Record<string, string>>;
  private toolchainMap: Record<string, string> = {};
  private reportedProblems = new Set<string>();
  /** Absolute bwrap path once the start-up probe passed. */
  bwrap?: string;
  checks: ToolchainCheck[] = [];

  constructor(private readonly opts: AgentOptions) {
    super();
    this.workDir = resolve(opts.workDir);
    this.cas = new CasStore(resolve(this.workDir, 'cas'), opts.casMaxBytes ?? Infinity);
    this.slots = new Slots(Math.max(1, Math.min(opts.slots, opts.production?.slots ?? Infinity)));
    this.limits = { nice: opts.production?.nice ?? opts.limits?.nice, memoryBytes: opts.production?.memoryBytes ?? opts.limits?.memoryBytes };
  }

  private log(line: string): void {
    (this.opts.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(`agent ${this.opts.id}: ${line}`);
  }

  /** The agent's clock as it reports it. */
  private now(): number {
    return Date.now() + (this.opts.clockOffsetMs ?? 0);
  }

  /** Prepare the work dir, probe the sandbox, start toolchain checks and the connection loop. */
  async start(): Promise<void> {
    if (this.loop) return;
    const unknown = (this.opts.targets ?? []).filter((t) => !targetSpec(t));
    if (unknown.length) throw new FesterError('FE0110', { message: `unknown target(s): ${unknown.join(', ')}`, hint: `known targets: ${KNOWN_TARGETS.join(', ')}` });
    makeDirSync(this.workDir);
    clearActionDirs(this.workDir);
    const detected = this.opts.kind ? { kind: this.opts.kind, how: 'set by option' } : await detectKind();
    this.kind = detected.kind;
    if (this.opts.sandbox === false) this.log('sandbox disabled');
    else {
      const sb = await probeSandbox(this.workDir, this.opts.bwrap);
      this.bwrap = sb.bwrap;
      if (sb.warning) this.log(`warning: ${sb.warning}`);
    }
    this.log(`starting: ${detected.kind} (${detected.how}), ${this.slots.size} slot(s), sandbox ${this.bwrap ? 'bwrap' : 'off'}, work dir ${this.workDir}`);
    this.verified = verifyToolchains({ workDir: this.workDir, targets: this.opts.targets, signal: this.stopCtl.signal }).then(({ toolchains, checks }) => {
      this.checks = checks;
      this.toolchainMap = toolchains;
      const bad = checks.filter((c) => !c.ok).map((c) => `${c.target} (${c.code})`);
      this.log(`toolchains: ${Object.keys(toolchains).join(', ') || 'none'}${bad.length ? `; not offered: ${bad.join(', ')}` : ''}`);
      return toolchains;
    });
    this.loop = this.connectLoop();
  }

  /** Resolves once the node has registered (hello + toolchains) with a coordinator. */
  registered(): Promise<void> {
    return new Promise((res) => this.once('registered', () => res()));
  }

  get running(): number { return this.held.size; }

  /** Abort running leases (reported as infrastructure failures), close the socket, stop. */
  async stop(): Promise<void> {
    if (this.stopCtl.signal.aborted) return;
    this.log('stopping');
    for (const h of this.held.values()) h.ctl.abort(new Error('agent stopping'));
    while (this.held.size) await new Promise((r) => this.once('released', r));
    this.stopCtl.abort();
    clearInterval(this.heartbeat);
    this.ws?.close(1001, 'agent stopping');
    await this.loop?.catch(() => undefined);
    await this.verified?.catch(() => undefined);
    await Promise.all(this.removals);
    this.log('stopped');
  }

  private async connectLoop(): Promise<void> {
    let delay = 100, failures = 0, lastError = '';
    while (!this.stopCtl.signal.aborted) {
      let ws: WebSocket;
      try {
        ws = await openFarmSocket(this.opts.coordinator, '/ws/agent');
      } catch (e) {
        failures++;
        const msg = isFesterError(e) ? `${e.code}: ${e.message}` : String(e);
        // One line per kind of failure, not one per retry.
        if (msg !== lastError) this.log(`cannot connect (${msg}); retrying every ≤${MAX_BACKOFF_MS / 1000} s`);
        lastError = msg;
        await this.sleep(delay);
        delay = Math.min(delay * 2, MAX_BACKOFF_MS);
        continue;
      }
      if (this.stopCtl.signal.aborted) { ws.close(1001, 'agent stopping'); break; }
      this.log(`connected to ${this.opts.coordinator.url.origin}${failures ? ` after ${failures} failed attempt(s)` : ''}`);
      delay = 100; failures = 0; lastError = '';
      await this.serve(ws);
      if (!this.stopCtl.signal.aborted) await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((res) => {
      const t = setTimeout(done, ms);
      function done() { clearTimeout(t); res(); }
      this.stopCtl.signal.addEventListener('abort', done, { once: true });
    });
  }

  /** One connection: register, then handle frames until it closes. */
  private serve(ws: WebSocket): Promise<void> {
    this.ws = ws;
    this.lastAck = undefined;
    return new Promise((res) => {
      ws.on('message', (data: Buffer) => this.onFrame(data));
      ws.on('error', (e) => this.log(`connection error: ${e.message}`));
      ws.on('close', (code, reason) => {
        clearInterval(this.heartbeat);
        this.ws = undefined;
        if (!this.stopCtl.signal.aborted) {
          this.log(`disconnected (${code}${reason.length ? ` ${reason.toString()}` : ''}); reconnecting`);
          // The coordinator takes a closed socket as a dropout and re-queues our leases
          // elsewhere: finishing them here would only hold slots for results it refuses.
          for (const h of this.held.values()) { h.revoked = 'connection to the coordinator lost'; h.ctl.abort(new Error(h.revoked)); }
        }
        this.emit('disconnected');
        res();
      });
      this.send({ type: 'hello', facts: this.facts() });
      void this.verified!.then((toolchains) => {
        if (this.ws !== ws || ws.readyState !== ws.OPEN) return;
        this.send({ type: 'toolchains', toolchains });
        this.log('registered');
        this.emit('registered');
      }, (e) => this.log(`toolchain check failed: ${isFesterError(e) ? `${e.code}: ${e.message}` : String(e)}`));
    });
  }

  private facts(): NodeFacts {
    const m = machineFacts();
    const scan = this.temps();
    const p = this.opts.production;
    return {
      id: this.opts.id, kind: this.kind ?? 'physical', arch: m.arch, cores: m.cores, memoryBytes: m.memoryBytes,
      slots: this.slots.size, labels: this.opts.labels ?? {}, load: m.load, temps: scan, version: VERSION,
      ...(p ? { production: { allow: [...p.allow], ...(p.nice !== undefined ? { nice: p.nice } : {}), ...(p.slots !== undefined ? { slots: p.slots } : {}), ...(p.memoryBytes !== undefined ? { memoryBytes: p.memoryBytes } : {}) } } : {}),
    };
  }

  /** Temperatures; each distinct sensor problem is logged once, not every heartbeat. */
  private temps() {
    const { temps, problems } = readTemps(this.opts.sysfsRoot);
    for (const p of problems) {
      const key = `${p.path}: ${p.message}`;
      if (!this.reportedProblems.has(key)) { this.reportedProblems.add(key); this.log(`warning: sensor ${key} (skipped)`); }
    }
    return temps;
  }

  private send(msg: AgentMessage): void {
    const ok = agentMessage.safeParse(msg);
    if (!ok.success) { this.log(`internal: not sending malformed ${msg.type}: ${ok.error.issues[0]?.message}`); return; }
    const ws = this.ws;
    if (ws && ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  }

  private onFrame(data: Buffer): void {
    let f: z.infer<typeof incoming>;
    try { f = parseFrame(incoming, data); } catch (e) {
      this.log(`ignored frame: ${isFesterError(e) ? `${e.code}: ${e.message}` : String(e)}`);
      return;
    }
    switch (f.type) {
      case 'welcome': return this.onWelcome(f);
      case 'ack': this.lastAck = { t0: f.t0, t1: f.t1, t2: f.t2, t3: this.now() }; return;
      case 'lease': void this.runLease(f.lease, f.task); return;
      case 'revoke': return this.onRevoke(f.lease, f.reason);
      case 'error': this.log(`coordinator says ${f.code}: ${f.message}`); return;
    }
  }

  private onWelcome(f: { heartbeatMs: number; session: string; node: string }): void {
    if (this.session !== f.session) this.log(`welcome from session ${f.session}`);
    this.session = f.session;
    const every = this.opts.heartbeatMs ?? f.heartbeatMs ?? 1000;
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => this.beat(), every);
    this.beat();
  }

  private beat(): void {
    this.send({ type: 'heartbeat', t0: this.now(), load: currentLoad(), temps: this.temps(), running: this.held.size, ...(this.lastAck ? { prev: this.lastAck } : {}) });
  }

  private onRevoke(lease: LeaseRef, reason: string): void {
    const h = this.held.get(key(lease));
    if (!h) return;
    h.revoked = reason;
    h.ctl.abort(new Error(`revoked: ${reason}`));
    this.log(`lease ${key(lease)} revoked (${reason})`);
  }

  private async runLease(lease: LeaseRef, task: Task): Promise<void> {
    const k = key(lease);
    if (this.held.has(k) || this.stopCtl.signal.aborted) return;
    const h: Held = { lease, ctl: new AbortController() };
    this.held.set(k, h);
    this.emit('lease', lease, task);
    const t0 = performance.now();
    let result: RunResult;
    try {
      result = await this.execute(lease, task, h.ctl.signal);
    } catch (e) {
      result = failure(e, performance.now() - t0);
    }
    this.held.delete(k);
    this.emit('released');
    // A command that finished before the revoke arrived is reported anyway: the coordinator
    // owns the epochs, so it refuses (and journals) a late result rather than this agent guessing.
    const finished = result.exitCode === 0 && result.outputs.length > 0;
    if (h.revoked && !finished) return;
    if (h.revoked) this.log(`lease ${k} finished after its revoke; reporting the late result`);
    if (h.ctl.signal.aborted && !finished) result = { ...result, infrastructure: true, code: 'FE0002', message: String((h.ctl.signal.reason as Error)?.message ?? 'aborted') };
    this.send({ type: 'result', lease, action: task.action, result });
    this.emit('result', lease, result);
  }

  /** Refuse, materialise, run (in a slot), collect, upload; the action dir is always removed (in the background). */
  private async execute(lease: LeaseRef, task: Task, signal: AbortSignal): Promise<RunResult> {
    const t0 = performance.now();
    const guard = this.opts.production;
    if (guard && !guard.allow.includes(task.project)) {
      return failure(new FesterError('FE0810', { message: `production node ${this.opts.id} does not allow project "${task.project}"` }), 0);
    }
    await this.verified;
    const refused = checkToolchain(task, this.toolchainMap);
    if (refused) return failure(refused, 0);
    const dir = new ActionDir(this.workDir, lease, this.cas, this.opts.coordinator);
    try {
      await dir.materialise(task, signal);
      if (signal.aborted) throw new FesterError('FE0002', { message: 'lease ended before its command started' });
      // A slot is held only while the command runs: fetching this lease's inputs and
      // uploading its outputs overlap with other leases' commands.
      const release = await this.slots.acquire(signal);
      let run: Awaited<ReturnType<typeof runTask>>;
      try { run = await runTask(task, dir.path, signal, { limits: this.limits, bwrap: this.bwrap }); } finally { release(); }
      const ok = run.exitCode === 0 && !signal.aborted;
      const outputs = ok ? dir.collect(task) : [];
      const depfile = ok ? dir.readDepfile(task) : undefined;
      if (outputs.length) await uploadOutputs(this.opts.coordinator, this.cas, outputs);
      return {
        exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr, durationMs: run.durationMs, outputs,
        ...(depfile !== undefined ? { depfile } : {}), ...(run.infrastructure ? { infrastructure: true } : {}),
        ...(run.message ? { message: run.message } : {}), ...(dir.corrupt.length ? { corrupt: dir.corrupt } : {}),
      };
    } catch (e) {
      const r = failure(e, performance.now() - t0);
      return dir.corrupt.length ? { ...r, corrupt: dir.corrupt } : r;
    } finally {
      const removal: Promise<void> = dir.removeLater().finally(() => this.removals.delete(removal));
      this.removals.add(removal);
      this.trimStore();
    }
  }

  private trimStore(): void {
    if (this.opts.casMaxBytes === undefined || Date.now() - this.lastTrim < TRIM_EVERY_MS) return;
    this.lastTrim = Date.now();
    this.cas.trim();
  }
}

function key(lease: LeaseRef): string {
  return `${lease.id}-${lease.epoch}`;
}

/**
 * A task that did not get to run its command. A path escape is the task's fault (it would
 * fail on any node); everything else is this node's problem, so the client retries elsewhere.
 */
function failure(e: unknown, durationMs: number): RunResult {
  const code = isFesterError(e) ? e.code : 'FE0001';
  const message = e instanceof Error ? e.message : String(e);
  return { exitCode: null, stdout: '', stderr: '', durationMs, outputs: [], infrastructure: code !== 'FE0807', code, message };
}
