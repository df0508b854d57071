import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Write a file, creating its folder; skip the write when the bytes are already there. */
export function writeFile(path, text) {
  try { if (readFileSync(path, 'utf8') === text) return; } catch { /* absent */ }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Write a map of relative path → text under `root`. */
export function writeTree(root, files) {
  for (const [rel, text] of Object.entries(files)) writeFile(join(root, rel), text);
}

export function rmrf(path) {
  rmSync(path, { recursive: true, force: true });
}
