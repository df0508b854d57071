import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * sha256 of every regular file under `dir`, by path relative to it (POSIX separators).
 * Symlinks are recorded by target text, so a retargeted link is a change too.
 */
export function digestTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (abs: string, rel: string) => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const a = join(abs, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(a, r);
      else if (e.isFile()) out[r] = createHash('sha256').update(readFileSync(a)).digest('hex');
      else if (e.isSymbolicLink()) out[r] = `symlink:${readlinkSync(a)}`;
    }
  };
  walk(dir, '');
  return out;
}

/** Paths whose digest differs, that are missing, or that are new. */
export function compareTrees(expected: Record<string, string>, actual: Record<string, string>): { changed: string[]; missing: string[]; extra: string[] } {
  const changed: string[] = [];
  const missing: string[] = [];
  for (const [p, d] of Object.entries(expected)) {
    if (!(p in actual)) missing.push(p);
    else if (actual[p] !== d) changed.push(p);
  }
  const extra = Object.keys(actual).filter((p) => !(p in expected));
  return { changed: changed.sort(), missing: missing.sort(), extra: extra.sort() };
}
