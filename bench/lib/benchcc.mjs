import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, WORK_DIR } from './paths.mjs';
import { run } from './proc.mjs';

/**
 * Compile bench/tools/benchcc.c (once per change) into bench/.work/bin/benchcc, with a real
 * template object beside it. Returns the folder to put on PATH and the tool's path.
 */
export function buildBenchcc() {
  const bin = join(WORK_DIR, 'bin');
  const tool = join(bin, 'benchcc');
  const src = join(BENCH_DIR, 'tools', 'benchcc.c');
  const tmplC = join(bin, 'template.c');
  const tmplO = join(bin, 'template.o');
  mkdirSync(bin, { recursive: true });
  if (!existsSync(tmplO)) {
    writeFileSync(tmplC, 'unsigned bench_template(unsigned x) { return x * 3u + 1u; }\n');
    run('gcc', ['-O1', '-c', tmplC, '-o', tmplO]);
  }
  if (!existsSync(tool) || statSync(tool).mtimeMs < statSync(src).mtimeMs) {
    const gcc = run('sh', ['-c', 'command -v gcc']).stdout.trim();
    run('gcc', ['-O2', '-Wall', `-DTEMPLATE_O="${tmplO}"`, `-DREAL_GCC="${gcc}"`, src, '-o', tool]);
  }
  return { bin, tool };
}
