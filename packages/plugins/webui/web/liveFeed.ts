import { replay, subscribe } from './api.js';
import type { FesterEvent } from './events.js';
import { SessionModel } from './model.js';

/**
 * Keeps a SessionModel equal to the journal of the current session: the backlog (from
 * `/api/replay/<session>` when the page names a session, else from the stream), then live
 * events from `/api/events`. Events are applied strictly in
 * seq order; one that arrives after a hole (the stream opened after the backlog was read, or
 * reconnected) waits while the hole is filled from `/api/replay?from=&to=`.
 */
export class LiveFeed {
  model = new SessionModel();
  onChange: () => void = () => {};
  onStatus: (text: string, kind: 'ok' | 'warn' | 'error') => void = () => {};
  private readonly pending = new Map<number, FesterEvent>();
  private filling = false;
  private backlogDone = false;

  /** `session`: follow this one; undefined: the newest, and the next one that starts. */
  constructor(private session?: string) {
    this.pinned = session !== undefined;
  }

  private readonly pinned: boolean;

  async start(): Promise<void> {
    if (this.session) await this.backlog(this.session);
    this.backlogDone = true;
    this.open();
  }

  /**
   * Unpinned, a first stream only learns the server's current session (`hello`; filtered to
   * `session.started` so the server sends no backlog): the backlog comes much faster as one
   * `/api/replay` body than as thousands of SSE messages. The real stream then resumes after it.
   */
  private open(): void {
    if (!this.model.session) {
      const probe = subscribe({ types: ['session.started'] }, {
        event: () => {},
        hello: (session) => {
          probe.close();
          this.switchTo(session);
          void this.backlog(session).then(() => this.open());
        },
        state: (open) => { if (!open) this.onStatus('cannot reach the event stream; retrying…', 'warn'); },
      });
      return;
    }
    subscribe({ session: this.pinned ? this.model.session : undefined, after: this.model.lastSeq }, {
      event: (ev) => this.push(ev),
      hello: (session) => {
        // A server restarted with a new session: follow it, unless this page was opened for one.
        if (!this.pinned && session !== this.model.session) { this.switchTo(session); void this.fill(); }
      },
      state: (open) => this.onStatus(open ? 'live' : 'reconnecting…', open ? 'ok' : 'warn'),
    });
    this.onChange();
  }

  private async backlog(session: string): Promise<void> {
    this.model.session = session;
    try {
      for (const ev of await replay(session)) this.push(ev);
    } catch (e) {
      this.onStatus(`cannot read session ${session}: ${(e as Error).message}`, 'error');
    }
  }

  private switchTo(session: string): void {
    this.model = new SessionModel();
    this.model.session = session;
    this.pending.clear();
    this.onChange();
  }

  push(ev: FesterEvent): void {
    if (this.model.session && ev.session !== this.model.session) {
      if (this.pinned) return;
      // Not pinned to a session: a new one started (a restarted server); follow it.
      this.switchTo(ev.session);
    }
    this.model.session ??= ev.session;
    if (ev.seq <= this.model.lastSeq) return;
    this.pending.set(ev.seq, ev);
    this.drain();
  }

  private drain(): void {
    let changed = false;
    for (let ev = this.pending.get(this.model.lastSeq + 1); ev; ev = this.pending.get(this.model.lastSeq + 1)) {
      this.pending.delete(ev.seq);
      this.model.apply(ev);
      changed = true;
    }
    if (changed) this.onChange();
    if (this.pending.size && this.backlogDone && !this.filling) void this.fill();
  }

  /** Read the missing stretch before the first waiting event; give up on holes the server cannot fill. */
  private async fill(): Promise<void> {
    const session = this.model.session;
    if (!session || this.filling) return;
    this.filling = true;
    try {
      const waiting = [...this.pending.keys()];
      const to = waiting.length ? Math.min(...waiting) - 1 : undefined;
      if (to === undefined || to > this.model.lastSeq) {
        const evs = await replay(session, { from: this.model.lastSeq + 1, ...(to !== undefined ? { to } : {}) });
        for (const ev of evs) if (ev.seq > this.model.lastSeq && (to === undefined || ev.seq <= to)) this.pending.set(ev.seq, ev);
      }
      // Whatever the server could not supply is not coming: apply the rest in order.
      for (const seq of [...this.pending.keys()].sort((a, b) => a - b)) {
        const ev = this.pending.get(seq)!;
        this.pending.delete(seq);
        if (seq > this.model.lastSeq) this.model.apply(ev);
      }
      this.onChange();
    } catch (e) {
      this.onStatus(`cannot read session ${session}: ${(e as Error).message}`, 'warn');
    } finally {
      this.filling = false;
    }
  }
}
