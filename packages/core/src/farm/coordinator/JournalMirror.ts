import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { FesterError } from '../../errors/FesterError.js';
import type { JournalEvents } from '../protocol.js';
import { pruneSessions } from '../../journal/retention.js';

/** A mirror stops growing here: a runaway client must not fill the coordinator's disk. */
const MAX_MIRROR_BYTES = 512 * 1024 * 1024;

interface Mirror { fd: number; bytes: number; lastSeq: number }

/**
 * Copies of the journals of builds sent to this farm, beside the coordinator's own session
 * journal (`<data-dir>/sessions/<client session>.jsonl`). The client's journal stays the
 * record; the copy lets the coordinator's API, UI and Cockpit show every farm build, live.
 * Lines are appended in the client's order; a batch sent again after a reconnect is
 * recognised by its sequence numbers and skipped. Each new session prunes the folder to the
 * newest `keep` journals (open mirrors and the coordinator's own session stay), reporting
 * what went through `pruned`.
 */
export class JournalMirror {
  private readonly open = new Map<string, Mirror>();

  constructor(
    private readonly dir: string,
    private readonly ownSession: string,
    private readonly keep: number | 'all' = 'all',
    private readonly pruned: (sessions: string[]) => void = () => {},
  ) {}

  /** Delete the oldest journals beyond `keep`; at start and whenever a new session arrives. */
  prune(): void {
    const gone = pruneSessions(this.dir, this.keep, (id) => id === this.ownSession || this.open.has(id));
    if (gone.length) this.pruned(gone);
  }

  append(batch: JournalEvents): void {
    const { session, events } = batch;
    if (session === this.ownSession) throw new FesterError('FE0804', { message: `journal batch names the coordinator's own session ${session}` });
    const stray = events.find((ev) => ev.session !== session);
    if (stray) throw new FesterError('FE0804', { message: `journal event of session ${stray.session} in a batch for ${session}` });
    const m = this.mirror(session);
    let text = '';
    for (const ev of events) {
      if (ev.seq <= m.lastSeq) continue;
      m.lastSeq = ev.seq;
      text += `${JSON.stringify(ev)}\n`;
    }
    if (!text) return;
    const bytes = Buffer.byteLength(text);
    if (m.bytes + bytes > MAX_MIRROR_BYTES) throw new FesterError('FE0805', { message: `the mirror of session ${session} reached ${MAX_MIRROR_BYTES} bytes; later events stay in the client's journal only` });
    writeSync(m.fd, text);
    m.bytes += bytes;
  }

  /** The client went away: its files close (a later batch of the same session reopens them). */
  close(session: string): void {
    const m = this.open.get(session);
    if (!m) return;
    closeSync(m.fd);
    this.open.delete(session);
  }

  closeAll(): void {
    for (const s of [...this.open.keys()]) this.close(s);
  }

  private mirror(session: string): Mirror {
    const have = this.open.get(session);
    if (have) return have;
    const path = join(this.dir, `${session}.jsonl`);
    let lastSeq = 0, bytes = 0, torn = false;
    const fresh = !existsSync(path);
    if (!fresh) {
      // A client that reconnects (or a restarted coordinator): go on after the last whole line.
      const text = readFileSync(path, 'utf8');
      bytes = Buffer.byteLength(text);
      torn = text.length > 0 && !text.endsWith('\n');
      const lines = text.split('\n').filter((l) => l.trim());
      for (let i = lines.length - 1; i >= 0 && !lastSeq; i--) {
        try { lastSeq = (JSON.parse(lines[i]!) as { seq: number }).seq; } catch { /* torn line */ }
      }
    }
    const m = { fd: openSync(path, 'a'), bytes, lastSeq };
    // A line cut short by a crash ends here, so the next event starts a line of its own.
    if (torn) { writeSync(m.fd, '\n'); m.bytes++; }
    this.open.set(session, m);
    if (fresh) this.prune();
    return m;
  }
}
