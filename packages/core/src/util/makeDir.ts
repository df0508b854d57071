import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * `mkdir -p` that fails instead of spinning: Node 20's `mkdirSync(…, { recursive: true })` loops
 * forever when a parent exists but refuses children with ENOENT (procfs, sysfs — e.g. an `--out`
 * under /proc). Missing levels are made one by one from the nearest existing ancestor, so such
 * a path throws the ENOENT at once and the caller can name it.
 */
export function makeDirSync(dir: string): void {
  if (existsSync(dir)) return;
  const missing: string[] = [];
  let d = dir;
  while (!existsSync(d)) {
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      mkdirSync(missing[i]!);
    } catch (e) {
      // Made meanwhile by another process or writer: what was asked for holds.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
