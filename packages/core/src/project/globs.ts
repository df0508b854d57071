import type * as Tinyglobby from 'tinyglobby';
import { lazy } from '../util/lazy.js';

const tinyglobby = lazy<typeof Tinyglobby>('tinyglobby');

const GLOB_CHARS = /[*?[\]{}!]/;

export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/** Whether a root-relative pattern stays inside the root. */
export function staysInside(pattern: string): boolean {
  return !pattern.startsWith('/') && !pattern.split('/').includes('..');
}

/**
 * Expand one pattern under root, sorted so the graph (and every key) is deterministic.
 * `*` stays in one folder, `**` descends; the out dir and `.fester` are never matched.
 */
export function expandPattern(root: string, pattern: string, exclude: readonly string[], outDir: string): string[] {
  if (!isGlob(pattern)) return [pattern];
  return tinyglobby().globSync(pattern, {
    cwd: root,
    ignore: [...exclude, `${outDir}/**`, '.fester/**', '**/node_modules/**'],
    onlyFiles: true,
    expandDirectories: false,
  }).sort();
}
