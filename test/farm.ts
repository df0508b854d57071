import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { BIN } from './helpers.js';

/**
 * Real farm processes for tests: a `fester coordinator` and `fester agent`s, each its own
 * process with its own data/work dir, on 127.0.0.x. Everything is killed by `stopAll`.
 */
export const TOKEN = 'test-farm-token-0123456789abcdef';

export interface Proc {
  proc: ResultPromise;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

function track(proc: ResultPromise): Proc {
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  return {
    proc,
    output: () => out,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode !== null || proc.killed) return;
      proc.kill(signal);
      await Promise.race([proc.catch(() => undefined), new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
  };
}

const all = new Set<Proc>();

export async function stopAll(): Promise<void> {
  await Promise.all([...all].map((p) => p.kill('SIGKILL')));
  all.clear();
}

export interface CoordinatorProc extends Proc { url: string }

/** Start a coordinator; resolves once it prints its URL. */
export async function startCoordinator(base: string, opts: { host?: string; port?: number; args?: string[]; env?: Record<string, string>; dataDir?: string } = {}): Promise<CoordinatorProc> {
  const dataDir = opts.dataDir ?? join(base, 'coordinator');
  mkdirSync(dataDir, { recursive: true });
  const proc = execa(process.execPath, [BIN, 'coordinator', '--listen', `${opts.host ?? '127.0.0.10'}:${opts.port ?? 0}`, '--data-dir', dataDir,
    '--heartbeat-ms', '200', '--timeout-ms', '1500', ...(opts.args ?? [])], { cwd: base, reject: false, env: { FESTER_FARM_TOKEN: TOKEN, CI: '1', ...opts.env } });
  const p = track(proc);
  all.add(p);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`coordinator did not start:\n${p.output()}`)), 20_000);
    proc.stdout!.on('data', () => {
      const m = /listening on (\S+)/.exec(p.output());
      if (m) { clearTimeout(timer); resolve(m[1]!); }
    });
    void proc.then(() => { clearTimeout(timer); reject(new Error(`coordinator exited:\n${p.output()}`)); });
  });
  return { ...p, url };
}

/** Start an agent with its own work dir; `args` adds flags (e.g. --clock-offset-ms). */
export function startAgent(base: string, url: string, id: string, opts: { args?: string[]; env?: Record<string, string> } = {}): Proc {
  const work = join(base, 'agents', id);
  mkdirSync(work, { recursive: true });
  const proc = execa(process.execPath, [BIN, 'agent', '--coordinator', url, '--id', id, '--work-dir', work, '--slots', '2', '--heartbeat-ms', '200', ...(opts.args ?? [])],
    { cwd: work, reject: false, env: { FESTER_FARM_TOKEN: TOKEN, CI: '1', ...opts.env } });
  const p = track(proc);
  all.add(p);
  return p;
}

export interface NodeRow { id: string; state: string; stateReason?: string; policy: string; running: number; clockOffsetMs?: number; targets: string[] }

/** The coordinator's node table (read-only API, no credentials needed). */
export async function nodes(url: string): Promise<NodeRow[]> {
  const res = await fetch(`${url}/api/nodes`);
  return ((await res.json()) as { nodes: NodeRow[] }).nodes;
}

/** Wait (bounded) until `pred` holds for the node table. */
export async function waitNodes(url: string, pred: (n: NodeRow[]) => boolean, timeoutMs = 30_000): Promise<NodeRow[]> {
  const end = Date.now() + timeoutMs;
  let last: NodeRow[] = [];
  while (Date.now() < end) {
    try { last = await nodes(url); if (pred(last)) return last; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`node table never satisfied the condition: ${JSON.stringify(last)}`);
}

export const ready = (ids: string[]) => (n: NodeRow[]) => ids.every((id) => n.some((x) => x.id === id && x.state === 'ready'));
