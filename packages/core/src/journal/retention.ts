import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Session journals kept per folder when the config says nothing: months of builds, bounded disk. */
export const DEFAULT_KEEP_SESSIONS = 1000;
/** A journal written to this recently belongs to a live session (another process's): never deleted. */
const ACTIVE_MS = 60 * 60 * 1000;

/**
 * Delete the oldest session journals of a folder beyond the newest `keep` (ids sort by time),
 * except `protect`ed ones and any written to within the last hour. Returns the ids deleted, for
 * the `journal.pruned` event that keeps the audit trail of what went. `keep` 'all' keeps all.
 */
export function pruneSessions(dir: string, keep: number | 'all', protect: (session: string) => boolean = () => false, now = Date.now()): string[] {
  if (keep === 'all') return [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
  } catch {
    return [];
  }
  const deleted: string[] = [];
  for (const name of names.slice(0, Math.max(0, names.length - keep))) {
    const id = name.slice(0, -'.jsonl'.length);
    if (protect(id)) continue;
    const path = join(dir, name);
    try {
      if (now - statSync(path).mtimeMs < ACTIVE_MS) continue;
      rmSync(path, { force: true });
      deleted.push(id);
    } catch {
      // Gone meanwhile (another process pruned it): nothing to do.
    }
  }
  return deleted;
}
