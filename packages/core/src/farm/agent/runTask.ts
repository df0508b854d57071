import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FesterError } from '../../errors/FesterError.js';
import { runCommand } from '../../exec/runCommand.js';
import type { Command, ExecuteResult } from '../../hooks.js';
import { which } from '../../toolchain/which.js';
import { ROOT_TOKEN, type Task } from '../protocol.js';
import { safeRelPath } from './workspace.js';

/**
 * Running one materialised task on this node: the command as the client wrote it, with the
 * root token pointed at the action directory, wrapped by the node's own limits (nice,
 * address-space cap) and, where bubblewrap works, a sandbox that sees the whole system
 * read-only, its action directory read-write, a private /tmp and no network.
 */

/** Wrappers are looked up in fixed system folders, as compilers are (not the agent's PATH). */
const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin';

export interface Limits {
  /** nice(1) adjustment for every command. */
  nice?: number;
  /** Address-space cap per command (prlimit --as). */
  memoryBytes?: number;
}

export interface RunOptions {
  limits?: Limits;
  /** Absolute path of a bwrap that passed the start-up probe; undefined: no sandbox. */
  bwrap?: string;
}

/** FE0811 unless the node verified this exact toolchain for the target ('' = raw action). */
export function checkToolchain(task: Task, verified: Readonly<Record<string, string>>): FesterError | undefined {
  if (task.toolchain === '' || verified[task.target] === task.toolchain) return undefined;
  const have = verified[task.target];
  return new FesterError('FE0811', {
    message: have
      ? `task needs toolchain ${task.toolchain.slice(0, 12)}… for ${task.target}; this node has ${have.slice(0, 12)}…`
      : `task needs a ${task.target} toolchain (${task.toolchain.slice(0, 12)}…); this node verified none for that target`,
  });
}

function withRoot(s: string, dir: string): string {
  return s.split(ROOT_TOKEN).join(dir);
}

function wrappers(opts: RunOptions, actionDir: string, cwd: string): string[] {
  const out: string[] = [];
  if (opts.bwrap) {
    // Order matters: /tmp becomes a tmpfs first, then the action dir is bound back in (it
    // may itself live under /tmp).
    out.push(opts.bwrap, '--die-with-parent', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp',
      '--bind', actionDir, actionDir, '--chdir', cwd, '--unshare-net', '--unshare-pid', '--unshare-ipc', '--');
  }
  if (opts.limits?.memoryBytes !== undefined) out.push(which('prlimit', SYSTEM_PATH) ?? 'prlimit', `--as=${opts.limits.memoryBytes}`, '--');
  if (opts.limits?.nice !== undefined) out.push(which('nice', SYSTEM_PATH) ?? 'nice', '-n', String(opts.limits.nice));
  return out;
}

/** The command to run for a task materialised in `actionDir` (absolute). */
export function taskCommand(task: Task, actionDir: string, opts: RunOptions = {}, tmp = tmpdir()): Command {
  const cwd = join(actionDir, safeRelPath(task.cwd, 'working directory', true));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(task.env)) env[k] = withRoot(v, actionDir);
  // TMPDIR names a folder on the client's machine; temp files are this node's business.
  env.TMPDIR = opts.bwrap ? '/tmp' : tmp;
  return { argv: [...wrappers(opts, actionDir, cwd), ...task.argv.map((a) => withRoot(a, actionDir))], env, cwd };
}

/** Run the task's command; never throws for a failing command (see runCommand). */
export function runTask(task: Task, actionDir: string, signal: AbortSignal, opts: RunOptions = {}): Promise<ExecuteResult> {
  return runCommand(taskCommand(task, actionDir, opts), signal);
}

/**
 * Does bubblewrap work here? It is installed on many machines where it cannot run (no user
 * namespaces, seccomp in a container): try the exact sandbox once in a scratch folder.
 */
export async function probeSandbox(workDir: string, bwrap?: string): Promise<{ bwrap?: string; warning?: string }> {
  const bin = bwrap ?? which('bwrap', SYSTEM_PATH);
  if (!bin) return { warning: 'bwrap not found: actions run without a sandbox (apt-get install bubblewrap)' };
  const dir = join(workDir, 'sandbox-probe');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const probe: Task = { action: 'sandbox-probe', kind: 'probe', target: 'host', toolchain: '', argv: ['/bin/sh', '-c', 'echo ok > probe.txt'], env: { PATH: '/usr/bin:/bin' }, cwd: '', files: [], dirs: [], outputs: [], project: '' };
    const r = await runTask(probe, dir, AbortSignal.timeout(15_000), { bwrap: bin });
    let wrote = '';
    try { wrote = readFileSync(join(dir, 'probe.txt'), 'utf8').trim(); } catch { /* not written */ }
    if (r.exitCode === 0 && wrote === 'ok') return { bwrap: bin };
    const why = (r.stderr || r.message || `exit ${r.exitCode}`).trim().split('\n')[0];
    return { warning: `bwrap (${bin}) does not work here (${why}): actions run without a sandbox` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * At most `size` leases run at once; the rest wait in arrival order. A lease revoked while
 * waiting leaves the queue without ever taking a slot.
 */
export class Slots {
  private active = 0;
  private readonly waiting: { grant: () => void }[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`slots must be a positive integer, not ${size}`);
  }

  get running(): number { return this.active; }
  get queued(): number { return this.waiting.length; }

  /** Resolves with a release function once a slot is free; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    const release = () => {
      this.active--;
      this.waiting.shift()?.grant();
    };
    const once = () => { let done = false; return () => { if (!done) { done = true; release(); } }; };
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.active < this.size) { this.active++; return Promise.resolve(once()); }
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => { signal?.removeEventListener('abort', onAbort); this.active++; resolve(once()); },
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }
}
