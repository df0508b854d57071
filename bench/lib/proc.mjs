import { spawnSync } from 'node:child_process';

/**
 * Run a command to completion and return its wall time in seconds. Synchronous on purpose:
 * the suite measures one process tree at a time and nothing else of ours runs meanwhile.
 * A failing command throws with the tail of its output, so a broken setup never yields a number.
 */
export function run(cmd, args, { cwd, env, quiet = true } = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd,
    env: env ?? process.env,
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').slice(-25).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd ?? process.cwd()}) exited ${r.status ?? r.signal}\n${tail}`);
  }
  return { seconds, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** True when a program is on PATH. */
export function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
