import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the suite lives, where it writes scratch projects, and the Fester CLI it drives. */
export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const REPO_DIR = dirname(BENCH_DIR);
export const WORK_DIR = join(BENCH_DIR, '.work');
export const FESTER_BIN = join(REPO_DIR, 'packages', 'cli', 'dist', 'bin.js');
export const PERF_DOC = join(REPO_DIR, 'docs', 'performance.md');
