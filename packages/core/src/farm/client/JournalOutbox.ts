import type { FesterEvent } from '../../journal/events.js';
import type { FarmClient } from './FarmClient.js';

const FLUSH_MS = 100;
const FLUSH_EVENTS = 2000;
/** Held while the coordinator is not (yet) connected; older lines are dropped past this. */
const MAX_HELD = 100_000;

/**
 * Sends this session's journal lines to the coordinator in small batches, so the farm's API
 * and UI show the build live. Best effort: the client's own journal stays the record, and
 * lines the coordinator never got are only missing from its copy.
 */
export class JournalOutbox {
  private held: FesterEvent[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly session: string, private readonly client: () => FarmClient | undefined) {}

  push(ev: FesterEvent): void {
    if (ev.session !== this.session) return;
    this.held.push(ev);
    if (this.held.length > MAX_HELD) this.held.splice(0, this.held.length - MAX_HELD);
    if (this.held.length >= FLUSH_EVENTS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const c = this.client();
    if (!c || c.connectionLost || !this.held.length) return;
    c.sendJournal(this.session, this.held);
    this.held = [];
  }
}
