import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FesterError } from '@fester/core';

/** What one action had produced when the snapshot was taken (from `<out>/.fester/state.json`). */
export interface SnapshotAction {
  key: string;
  pre: string;
  headers: string[];
  /** Output path relative to the project root → sha256. */
  outputs: Record<string, string>;
}

/**
 * Everything recorded for one snapshot, next to it as `<name>.json` (the snapshot itself is
 * read-only, and its record must survive a tampered snapshot so that `verify` can tell).
 */
export interface SnapshotMeta {
  v: 1;
  name: string;
  createdAt: number;
  /** before / after a build, manual (`fester snapshot create`), pre-restore (safety copy). */
  reason: 'before' | 'after' | 'manual' | 'pre-restore';
  /** Taken after a successful build: its outputs may serve the snapshot cache. */
  green: boolean;
  build?: string;
  /** The project's `out`, relative to its root: output paths in `actions` start with it. */
  outRel: string;
  actions: Record<string, SnapshotAction>;
  /** Every regular file in the snapshot, relative to the out dir → sha256. */
  files: Record<string, string>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Names become paths: refuse anything that could leave the snapshot folder. */
export function checkName(name: string): void {
  if (!NAME.test(name)) throw new FesterError('FE0903', { message: `"${name}" is not a snapshot name`, hint: 'names use letters, digits, ".", "_" and "-"; see `fester snapshot list`' });
}

export function writeMeta(dir: string, meta: SnapshotMeta): void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${meta.name}.json`);
  writeFileSync(`${path}.tmp`, JSON.stringify(meta));
  renameSync(`${path}.tmp`, path);
}

export function removeMeta(dir: string, name: string): void {
  rmSync(join(dir, `${name}.json`), { force: true });
}

/** Every snapshot with a readable record, oldest first. */
export function listMeta(dir: string): SnapshotMeta[] {
  if (!existsSync(dir)) return [];
  const out: SnapshotMeta[] = [];
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.json')) continue;
    try {
      const m = JSON.parse(readFileSync(join(dir, f), 'utf8')) as SnapshotMeta;
      if (m.v === 1 && existsSync(join(dir, m.name))) out.push(m);
    } catch { /* a half-written record is ignored: its snapshot is listed by nobody and compacted by hand */ }
  }
  return out.sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name));
}

/** A snapshot by name, or FE0903 listing what exists. */
export function getMeta(dir: string, name: string): SnapshotMeta {
  checkName(name);
  const all = listMeta(dir);
  const m = all.find((s) => s.name === name);
  if (!m) {
    const names = all.slice(-5).map((s) => s.name).join(', ');
    throw new FesterError('FE0903', { message: `no snapshot named "${name}"${names ? ` (newest: ${names})` : ' (there are none yet)'}` });
  }
  return m;
}
