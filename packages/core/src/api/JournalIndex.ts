import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FesterEvent } from '../journal/events.js';
import { BuildIndex } from './BuildIndex.js';
import { SessionLog } from './SessionLog.js';

export type EventListener = (session: SessionLog, ev: FesterEvent, raw: string) => void;

interface Indexed {
  log: SessionLog;
  /** How many of `log.events` the build indexes have seen. */
  applied: number;
  resets: number;
  builds: BuildIndex[];
  /** pid of the writer (`session.started`), to tell a crashed build from a running one. */
  pid?: number;
}

/**
 * Sessions and builds of one or more session folders (`.fester/sessions/`), indexed once and
 * then kept up to date: `refresh()` reads only what was appended to each journal, `ingest()`
 * takes live events of the process's own session. Listeners see every new event once, which
 * is what the SSE stream is made of.
 */
export class JournalIndex {
  private readonly dirs = new Set<string>();
  private readonly sessionsById = new Map<string, Indexed>();
  private readonly buildsById = new Map<string, BuildIndex>();
  private readonly listeners = new Set<EventListener>();
  /** Sessions fed by `ingest` (the live one): never tailed from disk, the hook is ahead of the file. */
  private readonly live = new Set<string>();
  /** Grows with every event taken in: derived answers cached under an older version are stale. */
  version = 0;

  addDir(dir: string): void {
    this.dirs.add(resolve(dir));
  }

  /** Mark a session as fed by live events; its file is read once more first, to catch up. */
  follow(session: string, path: string | null): void {
    if (this.live.has(session)) return;
    const s = this.ensure(session, path);
    if (s.log.path) this.catchUp(s, s.log.tail());
    this.live.add(session);
  }

  /**
   * Find new session files, read what was appended to the others (a stat per file when idle),
   * and forget sessions whose file is gone (deleted by journal retention, or by hand).
   */
  refresh(): void {
    const onDisk = new Set<string>();
    for (const dir of this.dirs) {
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir)) {
        if (!f.endsWith('.jsonl')) continue;
        const id = f.slice(0, -6);
        onDisk.add(id);
        if (!this.sessionsById.has(id)) this.ensure(id, join(dir, f));
      }
    }
    for (const s of [...this.sessionsById.values()]) {
      if (this.live.has(s.log.id) || !s.log.path) continue;
      if (!onDisk.has(s.log.id)) { this.forget(s); continue; }
      this.catchUp(s, s.log.tail());
    }
  }

  private forget(s: Indexed): void {
    for (const b of s.builds) this.buildsById.delete(b.id);
    this.sessionsById.delete(s.log.id);
    this.version++;
  }

  /** A live event of a followed session. */
  ingest(ev: FesterEvent): void {
    const s = this.ensure(ev.session, null);
    if (s.log.push(ev)) this.catchUp(s, [ev]);
  }

  subscribe(fn: EventListener): () => void {
    this.listeners.add(fn);
    return () => { this.listeners.delete(fn); };
  }

  get subscribers(): number { return this.listeners.size; }

  session(id: string): SessionLog | undefined {
    return this.sessionsById.get(id)?.log;
  }

  /** Sessions, oldest first (ids start with their UTC start time). */
  sessions(): SessionLog[] {
    return [...this.sessionsById.values()].map((s) => s.log).sort((a, b) => a.id.localeCompare(b.id));
  }

  buildsOf(session: string): BuildIndex[] {
    return this.sessionsById.get(session)?.builds ?? [];
  }

  build(id: string): BuildIndex | undefined {
    return this.buildsById.get(id);
  }

  /** Every build, oldest first. */
  builds(): BuildIndex[] {
    return this.sessions().flatMap((s) => this.buildsOf(s.id));
  }

  /** Whether the process that wrote a session is gone (same host); its unfinished builds are abandoned. */
  isLive(session: string): boolean {
    return this.live.has(session);
  }

  private ensure(id: string, path: string | null): Indexed {
    let s = this.sessionsById.get(id);
    if (!s) {
      s = { log: new SessionLog(id, path), applied: 0, resets: 0, builds: [] };
      this.sessionsById.set(id, s);
    }
    return s;
  }

  /** Fold the events the log gained into the build indexes, then tell the listeners. */
  private catchUp(s: Indexed, fresh: FesterEvent[]): void {
    if (s.resets !== s.log.resets) {
      // The file was rewritten: forget what was derived from it.
      for (const b of s.builds) this.buildsById.delete(b.id);
      s.builds = [];
      s.applied = 0;
      s.resets = s.log.resets;
    }
    const { events, raw } = s.log;
    for (let i = s.applied; i < events.length; i++) {
      const ev = events[i]!;
      if (ev.type === 'session.started') s.pid = ev.pid;
      // A build belongs to the session that ran it (ids are `<session>.<n>`); a coordinator's
      // lease events name builds of other sessions, whose own journals (or copies) hold them.
      if (ev.build && ev.build.startsWith(`${s.log.id}.`)) {
        let b = this.buildsById.get(ev.build);
        if (!b) {
          b = new BuildIndex(ev.build, s.log.id, ev);
          this.buildsById.set(ev.build, b);
          s.builds.push(b);
        }
        b.apply(ev, i);
      }
    }
    const start = events.length - fresh.length;
    this.version += events.length - s.applied;
    s.applied = events.length;
    const unfinished = s.builds.filter((b) => b.status === 'running');
    if (unfinished.length && !this.live.has(s.log.id) && s.pid !== undefined && !processAlive(s.pid)) for (const b of unfinished) b.abandon();
    if (this.listeners.size === 0) return;
    for (let i = Math.max(start, 0); i < events.length; i++) for (const fn of this.listeners) fn(s.log, events[i]!, raw[i]!);
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}
