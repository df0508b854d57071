import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventPayload, FesterEvent } from './events.js';

/**
 * Append-only JSONL writer for one session. Lines are buffered and written in batches (a
 * 10k-action no-op build emits 10k events) and flushed synchronously on demand, so a signal
 * handler can make the journal complete before the process exits.
 */
export class Journal {
  /** The JSONL file, or null for a memory-only journal (commands that record nothing). */
  readonly path: string | null;
  readonly session: string;
  private fd: number;
  private seq = 0;
  private pending: string[] = [];
  private scheduled = false;
  private closed = false;

  constructor(path: string | null, session: string) {
    this.path = path;
    this.session = session;
    if (path === null) { this.fd = -1; this.closed = true; return; }
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
  }

  /** Stamp and append an event; returns the full event (with seq) for observers. */
  append(payload: EventPayload, build?: string, causes?: number[]): FesterEvent {
    const ev = { seq: ++this.seq, ts: Date.now(), session: this.session, ...(build ? { build } : {}), ...(causes?.length ? { causes } : {}), ...payload } as FesterEvent;
    if (this.closed) return ev;
    this.pending.push(JSON.stringify(ev));
    if (this.pending.length >= 512) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => { this.scheduled = false; this.flush(); });
    }
    return ev;
  }

  get lastSeq(): number { return this.seq; }

  flush(): void {
    if (this.closed || this.pending.length === 0) return;
    const text = this.pending.join('\n') + '\n';
    this.pending = [];
    writeSync(this.fd, text);
  }

  /** Flush, fsync and close: after this the session's record is durable. */
  close(): void {
    if (this.closed) return;
    this.flush();
    try { fsyncSync(this.fd); } catch { /* fsync on some filesystems is unsupported; the data is written */ }
    closeSync(this.fd);
    this.closed = true;
  }
}
