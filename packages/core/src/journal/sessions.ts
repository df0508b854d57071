import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FesterError } from '../errors/FesterError.js';

/** Where a project's session journals live: `<root>/.fester/sessions/`. */
export function sessionsDir(projectRoot: string): string {
  return join(projectRoot, '.fester', 'sessions');
}

/** Session ids sort by time because they start with a UTC timestamp. */
export function newSessionId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.(\d{3})Z$/, '$1Z');
  return `${stamp}-${Math.random().toString(16).slice(2, 8)}`;
}

export function listSessions(projectRoot: string): string[] {
  const dir = sessionsDir(projectRoot);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => f.slice(0, -6)).sort();
}

/** The journal path of a session, the newest one when `session` is undefined. */
export function sessionJournalPath(projectRoot: string, session?: string): string {
  const all = listSessions(projectRoot);
  const id = session ?? all[all.length - 1];
  if (!id || !all.includes(id)) {
    throw new FesterError('FE0701', {
      message: session ? `no journal for session "${session}"` : `no journal under ${sessionsDir(projectRoot)}`,
    });
  }
  return join(sessionsDir(projectRoot), `${id}.jsonl`);
}
