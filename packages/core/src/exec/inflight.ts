import { rmSync } from 'node:fs';

/**
 * Commands running right now, with the files they may be half-way through writing. A normal
 * abort lets each action clean up after its command exits; a second Ctrl-C exits at once, so
 * `forceStop` kills every process group and removes those files synchronously first.
 */
const running = new Map<number, readonly string[]>();

export function trackProcess(pid: number, outputs: readonly string[]): void {
  running.set(pid, outputs);
}

export function untrackProcess(pid: number): void {
  running.delete(pid);
}

export function forceStop(): void {
  for (const [pid, outputs] of running) {
    try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
    for (const o of outputs) rmSync(o, { force: true, recursive: true });
  }
  running.clear();
}
