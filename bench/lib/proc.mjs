import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TIME = '/usr/bin/time';
const hasTime = existsSync(TIME);

/**
 * Run a command to completion; return its wall time in seconds and, when GNU time is there,
 * the CPU seconds (user + system) of its whole process tree, which load from other work on
 * the machine disturbs far less than wall time. Synchronous on purpose: the suite measures
 * one process tree at a time. A failing command throws with the tail of its output, so a
 * broken setup never yields a number.
 */
export function run(cmd, args, { cwd, env, quiet = true } = {}) {
  const dir = hasTime ? mkdtempSync(join(tmpdir(), 'bench-time-')) : undefined;
  const [file, argv] = dir ? [TIME, ['-q', '-f', '%U %S', '-o', join(dir, 't'), cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, argv, {
    cwd,
    env: env ?? process.env,
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  let cpu;
  if (dir) {
    try { cpu = readFileSync(join(dir, 't'), 'utf8').trim().split(/\s+/).slice(-2).reduce((a, b) => a + Number(b), 0); } catch { /* none */ }
    rmSync(dir, { recursive: true, force: true });
  }
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').slice(-25).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd ?? process.cwd()}) exited ${r.status ?? r.signal}\n${tail}`);
  }
  return { seconds, cpu, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** True when a program is on PATH. */
export function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
