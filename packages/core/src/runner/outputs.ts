import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FileDigests } from '../fingerprint/FileDigests.js';
import type { Action, CacheHit, OutputRecord } from '../types.js';
import { atomicWriteSync } from '../util/atomicWrite.js';

/** Remove an action's outputs (stale before a run, partial after a failure or an abort). */
export function removeOutputs(root: string, a: Action, digests: FileDigests): void {
  for (const o of a.outputs) {
    rmSync(join(root, o), { force: true, recursive: true });
    digests.forget(o);
  }
  if (a.depfile) rmSync(join(root, a.depfile), { force: true });
}

/** Make the folders the command will write into. */
export function prepareOutputDirs(root: string, a: Action): void {
  const dirs = new Set([...a.outputs, ...(a.depfile ? [a.depfile] : [])].map((o) => dirname(join(root, o))));
  dirs.add(join(root, a.cwd));
  for (const d of dirs) mkdirSync(d, { recursive: true });
}

/** Read what a successful command wrote: bytes for the cache, digests and modes for the record. */
export function collectOutputs(root: string, a: Action, digests: FileDigests): { records: OutputRecord[]; blobs: Map<string, Buffer> } {
  const records: OutputRecord[] = [];
  const blobs = new Map<string, Buffer>();
  for (const o of a.outputs) {
    const abs = join(root, o);
    const data = readFileSync(abs);
    const digest = digests.wrote(o, data);
    records.push({ path: o, digest, size: data.length, mode: statSync(abs).mode & 0o777 });
    blobs.set(digest, data);
  }
  return { records, blobs };
}

/** Whether a cache entry describes exactly this action's outputs (the key covers them; be strict anyway). */
export function entryMatches(a: Action, hit: CacheHit): boolean {
  const paths = hit.entry.outputs.map((o) => o.path);
  return paths.length === a.outputs.length && paths.every((p, i) => p === a.outputs[i]) && hit.entry.outputs.every((o) => hit.blobs.has(o.digest));
}

/** Write a hit's outputs into place atomically; the tier verified every blob already. */
export function restoreOutputs(root: string, hit: CacheHit, digests: FileDigests): void {
  for (const o of hit.entry.outputs) {
    const data = hit.blobs.get(o.digest)!;
    if (!hit.placed) atomicWriteSync(join(root, o.path), data, o.mode);
    digests.wrote(o.path, data);
  }
}
