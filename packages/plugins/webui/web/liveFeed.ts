import { getJson, replay, subscribe } from './api.js';
import type { FesterEvent } from './events.js';
import { SessionModel } from './model.js';

/** How often an unpinned page looks for a newer session. */
const NEWER_POLL_MS = 3000;

/**
 * Keeps a SessionModel equal to the journal of the current session: the backlog (from
 * `/api/replay/<session>`), then live events from `/api/events?session=`. Events are applied
 * strictly in seq order; one that arrives after a hole (the stream reconnected) waits while
 * the hole is filled from `/api/replay?from=&to=`. Not pinned to a session (no `?session=`),
 * the feed starts with the server's current one and moves to any newer session that appears
 * (a restarted coordinator, a new `fester build` under `fester ui`).
 */
export class LiveFeed {
  model = new SessionModel();
  onChange: () => void = () => {};
  onStatus: (text: string, kind: 'ok' | 'warn' | 'error') => void = () => {};
  private readonly pending = new Map<number, FesterEvent>();
  private filling = false;
  private backlogDone = false;
  private stream?: { close(): void };
  private switching = false;
  private readonly pinned: boolean;

  /** `session`: follow this one; undefined: the server's current one, then any newer one. */
  constructor(private session?: string) {
    this.pinned = session !== undefined;
  }

  async start(): Promise<void> {
    if (this.session) await this.backlog(this.session);
    this.backlogDone = true;
    this.open();
    if (!this.pinned) setInterval(() => void this.checkNewer(), NEWER_POLL_MS);
  }

  /**
   * Unpinned, a first stream only learns the server's current session (`hello`; filtered to
   * `session.started` so the server sends no backlog): the backlog comes much faster as one
   * `/api/replay` body than as thousands of SSE messages. The real stream, always for one named
   * session, then resumes after it.
   */
  private open(): void {
    this.stream?.close();
    if (!this.model.session) {
      const probe = subscribe({ types: ['session.started'] }, {
        event: () => {},
        hello: (session) => { probe.close(); if (!this.model.session) void this.follow(session); },
        state: (open) => { if (!open) this.onStatus('no session on the server yet; waiting…', 'warn'); },
      });
      this.stream = probe;
      return;
    }
    this.stream = subscribe({ session: this.model.session, after: this.model.lastSeq }, {
      event: (ev) => this.push(ev),
      hello: () => {},
      state: (open) => this.onStatus(open ? 'live' : 'reconnecting…', open ? 'ok' : 'warn'),
    });
    this.onChange();
  }

  /** Drop the current session and follow `session` from its start. */
  private async follow(session: string): Promise<void> {
    this.stream?.close();
    this.stream = undefined;
    this.switchTo(session);
    await this.backlog(session);
    this.open();
  }

  /** Session ids start with their UTC start time, so the greatest is the newest. */
  private async checkNewer(): Promise<void> {
    if (this.switching) return;
    this.switching = true;
    try {
      const { sessions } = await getJson<{ sessions: { id: string }[] }>('/api/sessions');
      const newest = sessions.map((x) => x.id).sort().at(-1);
      if (newest && (!this.model.session || newest > this.model.session)) await this.follow(newest);
    } catch { /* the server is away: the stream's own status says so */ } finally {
      this.switching = false;
    }
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
    // Streams and replays are per session: another session's event is a stale callback.
    if (ev.session !== this.model.session) return;
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
        // The page moved to a newer session meanwhile: these belong to the old one.
        if (this.model.session !== session) return;
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
