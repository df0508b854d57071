import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { spawnSync } from 'node:child_process';

/** What the numbers were measured on: they mean nothing without it. */
export function machine() {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) model = m[1].trim();
  } catch { /* not Linux */ }
  const version = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8' }).stdout?.split('\n')[0].trim() || 'n/a';
  return {
    nproc: availableParallelism(),
    cpu: model,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    gcc: version('gcc', ['-dumpfullversion']),
    make: version('make', ['--version']),
    ninja: version('ninja', ['--version']),
    ccache: version('ccache', ['--version']),
  };
}
