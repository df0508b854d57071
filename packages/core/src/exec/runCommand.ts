import type { Command, ExecuteResult } from '../hooks.js';
import { trackProcess, untrackProcess } from './inflight.js';

const MAX_OUTPUT = 1024 * 1024;

/**
 * Run one command in its own process group so that an abort kills the compiler and the
 * cc1/as/ld it spawned, not just the driver. Never throws for a failing command.
 */
export async function runCommand(cmd: Command, signal: AbortSignal, outputs: readonly string[] = []): Promise<ExecuteResult> {
  const t0 = performance.now();
  const [file, ...args] = cmd.argv;
  // Loaded on first use: a no-op build never runs a command and should not pay for execa.
  const { execa } = await import('execa');
  const child = execa(file!, args, {
    cwd: cmd.cwd,
    env: cmd.env,
    extendEnv: false,
    reject: false,
    detached: true,
    stdin: 'ignore',
    maxBuffer: MAX_OUTPUT,
    stripFinalNewline: false,
  });
  const kill = () => {
    if (child.pid === undefined) return;
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 2000).unref();
  };
  if (child.pid !== undefined) trackProcess(child.pid, outputs);
  if (signal.aborted) kill();
  else signal.addEventListener('abort', kill, { once: true });
  try {
    const r = await child;
    const durationMs = performance.now() - t0;
    if (r.failed && r.exitCode === undefined && !r.isTerminated) {
      // The command never started (not found, not executable): an environment problem.
      return { exitCode: null, stdout: '', stderr: String(r.stderr ?? ''), durationMs, infrastructure: true, message: r.shortMessage };
    }
    return {
      exitCode: r.exitCode ?? null,
      stdout: String(r.stdout ?? ''),
      stderr: String(r.stderr ?? ''),
      durationMs,
      message: r.isTerminated ? `killed by ${r.signal}` : undefined,
    };
  } finally {
    if (child.pid !== undefined) untrackProcess(child.pid);
    signal.removeEventListener('abort', kill);
  }
}
