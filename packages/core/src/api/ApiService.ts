import type { ServerResponse } from 'node:http';
import { dirname, resolve } from 'node:path';
import type { Compiler } from '../Compiler.js';
import { JournalIndex } from './JournalIndex.js';

/** A cached JSON answer; `gzip` is made the first time a client that accepts it asks. */
export interface MemoEntry { version: string; text: string; gzip?: Buffer }

/** How often journals written by other processes are re-read while a live stream is open. */
const POLL_MS = 250;
const MEMO_ENTRIES = 16;

/**
 * The state behind the HTTP API of one Compiler: the journal index, which folders it covers,
 * and the open event streams. Idle until the first request, so a build that nobody watches
 * pays one no-op hook call per event.
 */
export class ApiService {
  readonly index = new JournalIndex();
  /**
   * Serve the process's own session from its live events (`fester build --serve`, the
   * coordinator). `fester ui` turns it off: it only browses journals on disk.
   */
  followOwnSession = true;
  private active = false;
  private timer?: NodeJS.Timeout;
  private readonly streams = new Set<ServerResponse>();
  private readonly memos = new Map<string, MemoEntry>();

  constructor(readonly compiler: Compiler) {
    compiler.hooks.event.tap('fester:api', (ev) => {
      if (this.active && this.followOwnSession && ev.session === compiler.sessionId) this.index.ingest(ev);
    });
  }

  /** Also index the sessions in this folder (`<project>/.fester/sessions`). */
  addSessionDir(dir: string): void {
    this.index.addDir(resolve(dir));
  }

  /** Start following the live session now (servers call it when they start listening). */
  activate(): void {
    this.active = true;
    this.prepare();
  }

  /** Before answering: pick up the folder of a journal opened since, read what was appended. */
  prepare(): void {
    this.active = true;
    const j = this.compiler.sessionJournal;
    if (j?.path) this.index.addDir(dirname(j.path));
    if (this.followOwnSession && !this.index.isLive(this.compiler.sessionId)) {
      // Whatever was emitted before is in the file once flushed; from now on the hook feeds it.
      this.compiler.flushJournal();
      this.index.follow(this.compiler.sessionId, j?.path ?? null);
    }
    this.index.refresh();
  }

  /**
   * A JSON answer cached until `version` changes: a finished 10k-action build is serialised
   * once (~2 MB), not on every poll of the UI.
   */
  memo(key: string, version: string, make: () => unknown): MemoEntry {
    const hit = this.memos.get(key);
    if (hit && hit.version === version) return hit;
    const entry: MemoEntry = { version, text: JSON.stringify(make()) };
    this.memos.delete(key);
    this.memos.set(key, entry);
    // A few big answers at most: drop the oldest.
    if (this.memos.size > MEMO_ENTRIES) this.memos.delete(this.memos.keys().next().value!);
    return entry;
  }

  /** The session a stream follows when none is named: our own live one, else the newest on disk. */
  defaultSession(): string | undefined {
    if (this.followOwnSession) return this.compiler.sessionId;
    const all = this.index.sessions();
    return all[all.length - 1]?.id;
  }

  /** An open SSE response: kept so a shutdown can end it, and so other writers' journals are polled meanwhile. */
  addStream(res: ServerResponse): void {
    this.streams.add(res);
    if (!this.timer) {
      this.timer = setInterval(() => { try { this.index.refresh(); } catch { /* a journal vanished mid-read: next tick */ } }, POLL_MS);
      this.timer.unref();
    }
    res.once('close', () => {
      this.streams.delete(res);
      if (this.streams.size === 0 && this.timer) { clearInterval(this.timer); this.timer = undefined; }
    });
  }

  /** End every open stream (the server is stopping; clients reconnect with Last-Event-ID). */
  closeStreams(): void {
    for (const res of this.streams) res.end();
    this.streams.clear();
    if (this.timer) { clearInterval(this.timer); this.timer = undefined; }
  }
}
