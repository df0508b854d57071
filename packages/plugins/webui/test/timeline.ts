/**
 * The browser tests' own reading of a journal: what state each action is in at time t,
 * folded here independently of the page's model (web/model.ts), so a page that draws the
 * wrong state at t fails the comparison instead of agreeing with itself.
 */
export interface JournalEvent {
  seq: number;
  ts: number;
  type: string;
  build?: string;
  action?: string;
  status?: string;
  node?: string;
  [k: string]: unknown;
}

const STATE_OF: Record<string, (ev: JournalEvent) => string> = {
  'action.queued': () => 'queued',
  'action.started': () => 'running',
  'action.finished': (ev) => (ev.status === 'success' ? 'done' : 'failed'),
  'cache.hit': () => 'cached',
  'action.uptodate': () => 'uptodate',
  'action.skipped': () => 'skipped',
};

/** Legend counts of a build at time t (events with ts ≤ t), over `total` actions. */
export function countsAt(events: JournalEvent[], build: string, total: number, t: number): Record<string, number> {
  const state = new Map<string, string>();
  for (const ev of events) {
    if (ev.ts > t || ev.build !== build || !ev.action) continue;
    const next = STATE_OF[ev.type];
    if (next) state.set(ev.action, next(ev));
    // An infrastructure retry or a revoked lease puts a running action back in the queue.
    else if ((ev.type === 'action.retry' || ev.type === 'lease.revoked') && state.get(ev.action) === 'running') state.set(ev.action, 'queued');
  }
  const counts: Record<string, number> = { pending: total - state.size, queued: 0, running: 0, cached: 0, uptodate: 0, done: 0, failed: 0, skipped: 0 };
  for (const s of state.values()) counts[s]!++;
  return counts;
}

/** The actions running on each node at time t. */
export function runningAt(events: JournalEvent[], build: string, t: number): Map<string, string[]> {
  const running = new Map<string, string>();
  for (const ev of events) {
    if (ev.ts > t || ev.build !== build || !ev.action) continue;
    if (ev.type === 'action.started') running.set(ev.action, String(ev.node));
    else if (ev.type === 'action.finished' || ev.type === 'action.retry' || ev.type === 'lease.revoked') running.delete(ev.action);
  }
  const byNode = new Map<string, string[]>();
  for (const [action, node] of running) byNode.set(node, [...(byNode.get(node) ?? []), action]);
  return byNode;
}
