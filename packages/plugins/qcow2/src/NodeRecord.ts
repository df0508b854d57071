import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RollbackTestResult {
  ok: boolean;
  /** Milliseconds since the epoch. */
  at: number;
  snapshot?: string;
  message: string;
}

/** What Fester remembers per VM node, under `<cache>/qcow2/<node>.json`. */
export interface NodeRecordData {
  v: 1;
  /** sha256 of the raw disk content of each snapshot Fester took, checked by rollback tests. */
  digests: Record<string, string>;
  lastRollbackTest?: RollbackTestResult;
}

const pathOf = (cacheDir: string, node: string) => join(cacheDir, 'qcow2', `${node.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);

export function readNodeRecord(cacheDir: string, node: string): NodeRecordData {
  try {
    const d = JSON.parse(readFileSync(pathOf(cacheDir, node), 'utf8')) as NodeRecordData;
    if (d.v === 1) return { v: 1, digests: d.digests ?? {}, ...(d.lastRollbackTest ? { lastRollbackTest: d.lastRollbackTest } : {}) };
  } catch { /* no record yet: the node has never been tested */ }
  return { v: 1, digests: {} };
}

/** Atomic write: a crash leaves the old record, never a torn one (which would read as "never tested"). */
export function updateNodeRecord(cacheDir: string, node: string, change: (d: NodeRecordData) => void): NodeRecordData {
  const d = readNodeRecord(cacheDir, node);
  change(d);
  const p = pathOf(cacheDir, node);
  mkdirSync(join(cacheDir, 'qcow2'), { recursive: true });
  writeFileSync(`${p}.${process.pid}.tmp`, JSON.stringify(d, null, 2));
  renameSync(`${p}.${process.pid}.tmp`, p);
  return d;
}
