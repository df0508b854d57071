import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { FesterEvent } from '../journal/events.js';

/**
 * One session's events in memory, read incrementally from its JSONL journal. The API answers
 * from here instead of re-reading files: a 10k-action build is ~50k lines, parsed once.
 * Each event keeps its JSON text too, so a timeline is served without serialising again.
 */
export class SessionLog {
  readonly id: string;
  /** The journal file, or null for a session only seen through live events. */
  readonly path: string | null;
  readonly events: FesterEvent[] = [];
  readonly raw: string[] = [];
  /** True when the file ended in a cut-short line at the last read (a crash mid-write, or a writer mid-flush). */
  torn = false;
  /** Complete lines that were not JSON (skipped), counted over the whole file. */
  badLines = 0;
  /** Counts rewrites of the file (it shrank): whoever derived data from `events` must derive it again. */
  resets = 0;
  /** Bytes of the file consumed: everything up to the last complete line. */
  private offset = 0;
  private lastSize = -1;

  constructor(id: string, path: string | null) {
    this.id = id;
    this.path = path;
  }

  get lastSeq(): number {
    return this.events.length ? this.events[this.events.length - 1]!.seq : 0;
  }

  /**
   * Read what was appended since the last call; returns the new events. A file that shrank
   * was rewritten by someone: it is read again from the start.
   */
  tail(): FesterEvent[] {
    if (!this.path) return [];
    let fd: number;
    try { fd = openSync(this.path, 'r'); } catch { return []; }
    try {
      const size = fstatSync(fd).size;
      if (size === this.lastSize) return [];
      if (size < this.offset) this.reset();
      this.lastSize = size;
      if (size === this.offset) { this.torn = false; return []; }
      const buf = Buffer.allocUnsafe(size - this.offset);
      let got = 0;
      while (got < buf.length) {
        const n = readSync(fd, buf, got, buf.length - got, this.offset + got);
        if (n === 0) break;
        got += n;
      }
      // Only complete lines are consumed; a torn tail is read again once its newline arrives.
      const end = buf.lastIndexOf(0x0a, got - 1);
      this.torn = end !== got - 1;
      if (end < 0) return [];
      this.offset += end + 1;
      const fresh: FesterEvent[] = [];
      for (const line of buf.toString('utf8', 0, end).split('\n')) {
        if (line === '') continue;
        let ev: FesterEvent;
        try { ev = JSON.parse(line) as FesterEvent; } catch { this.badLines++; continue; }
        if (typeof ev.seq !== 'number' || ev.seq <= this.lastSeq) continue;
        this.events.push(ev);
        this.raw.push(line);
        fresh.push(ev);
      }
      return fresh;
    } finally {
      closeSync(fd);
    }
  }

  /** A live event (from `compiler.hooks.event`); false when it was already known. */
  push(ev: FesterEvent): boolean {
    // Events a Compiler emitted before its journal file opened were numbered by a memory-only
    // journal; the file starts again at 1. The file is the record: forget the others.
    if (ev.seq === 1 && this.lastSeq > 0) this.reset();
    if (ev.seq <= this.lastSeq) return false;
    this.events.push(ev);
    this.raw.push(JSON.stringify(ev));
    return true;
  }

  /** Index of the first event with seq ≥ `seq` (events are in seq order). */
  indexOfSeq(seq: number): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.events[mid]!.seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first event with ts ≥ `ts`; ts never decreases within a journal (one writer, one clock). */
  indexOfTs(ts: number): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.events[mid]!.ts < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The event with this seq, if known. */
  bySeq(seq: number): FesterEvent | undefined {
    const ev = this.events[this.indexOfSeq(seq)];
    return ev?.seq === seq ? ev : undefined;
  }

  private reset(): void {
    this.resets++;
    this.events.length = 0;
    this.raw.length = 0;
    this.offset = 0;
    this.badLines = 0;
  }
}
