import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FileRecord } from '../fingerprint/FileDigests.js';

/** What the previous build knew of one action: enough to skip it, or to say what changed. */
export interface ActionRecord {
  key: string;
  pre: string;
  cmd: string;
  /** The command without plugin fingerprint additions, to tell the two kinds of change apart. */
  base?: string;
  toolchain: string;
  /** Declared inputs and discovered headers with their digests. */
  inputs: Record<string, string>;
  headers: string[];
  outputs: Record<string, string>;
}

export interface StateData {
  v: 1;
  savedAt: number;
  files: Record<string, FileRecord>;
  actions: Record<string, ActionRecord>;
}

const EMPTY = (): StateData => ({ v: 1, savedAt: 0, files: {}, actions: {} });

/**
 * Per out-dir record of the last build (`<out>/.fester/state.json`). Lost or unreadable
 * state only costs time: every action then goes through the cache.
 */
export function loadState(path: string): StateData {
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as StateData;
    return data.v === 1 && data.actions && data.files ? data : EMPTY();
  } catch {
    return EMPTY();
  }
}

/** Written to a temp file and renamed, so a crash leaves the old state or the new, never half. */
export function saveState(path: string, data: StateData): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ ...data, savedAt: Date.now() }));
  renameSync(tmp, path);
}
