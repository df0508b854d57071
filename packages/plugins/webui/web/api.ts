import type { FesterEvent } from './events.js';

/**
 * The HTTP API the pages read, on the origin that served them (coordinator, `fester build
 * --serve`, `fester ui`). Nothing here knows the journal format beyond the event union.
 */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string | undefined, message: string) {
    super(message);
  }
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const text = await res.text();
  let body: unknown;
  try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
  if (!res.ok) {
    const b = body as { code?: string; message?: string } | undefined;
    throw new ApiError(res.status, b?.code, b?.message ?? `${res.status} ${res.statusText} for ${path}`);
  }
  return body as T;
}

export interface Timeline {
  events: FesterEvent[];
  /** The journal's last line was cut short (a crash mid-write): the timeline ends at the tear. */
  torn: boolean;
  /** Unreadable lines the server skipped. */
  badLines: number;
}

/** The timeline of a session (optionally `from`/`to` journal sequence numbers). */
export async function timeline(session: string, range: { from?: number; to?: number } = {}): Promise<Timeline> {
  const q = new URLSearchParams();
  if (range.from !== undefined) q.set('from', String(range.from));
  if (range.to !== undefined) q.set('to', String(range.to));
  const body = await getJson<{ events: FesterEvent[]; torn?: boolean; badLines?: number }>(`/api/replay/${encodeURIComponent(session)}${q.size ? `?${q}` : ''}`);
  return { events: body.events, torn: body.torn === true, badLines: body.badLines ?? 0 };
}

/** Only the events of a session's timeline. */
export async function replay(session: string, range: { from?: number; to?: number } = {}): Promise<FesterEvent[]> {
  return (await timeline(session, range)).events;
}

export interface BuildSummary {
  id: string;
  session: string;
  status?: string;
  startedAt?: number;
  project?: string;
}

/** Builds the server knows, newest last; fields normalised across the API's spellings. */
export async function builds(): Promise<BuildSummary[]> {
  const body = await getJson<unknown[] | { builds: unknown[] }>('/api/builds');
  const list = (Array.isArray(body) ? body : body.builds) as Record<string, unknown>[];
  return list.map((b) => {
    const id = String(b.id ?? b.buildId ?? b.build);
    const session = String(b.session ?? b.sessionId ?? id.slice(0, id.lastIndexOf('.')));
    const startedAt = typeof b.startedAt === 'number' ? b.startedAt : typeof b.ts === 'number' ? b.ts : undefined;
    return { id, session, status: typeof b.status === 'string' ? b.status : undefined, startedAt, project: typeof b.project === 'string' ? b.project : undefined };
  }).sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0) || (a.id < b.id ? -1 : 1));
}

export async function explain(build: string, action: string): Promise<Record<string, unknown>> {
  return getJson(`/api/explain/${encodeURIComponent(build)}/${encodeURIComponent(action)}`);
}

/**
 * Live events over SSE (`id:` = journal seq). The server first sends `hello` with the session
 * it streams, then every event after `lastEventId`, then live ones. EventSource reconnects by
 * itself with Last-Event-ID, so the stream resumes where it broke.
 */
export function subscribe(opts: { session?: string; after?: number; types?: string[] }, on: {
  event(ev: FesterEvent): void;
  hello(session: string): void;
  state(open: boolean): void;
}): { close(): void } {
  const q = new URLSearchParams();
  if (opts.session) q.set('session', opts.session);
  if (opts.after) q.set('lastEventId', String(opts.after));
  if (opts.types) q.set('type', opts.types.join(','));
  const es = new EventSource(`/api/events${q.size ? `?${q}` : ''}`);
  es.onmessage = (m: MessageEvent<string>) => {
    try { on.event(JSON.parse(m.data) as FesterEvent); } catch { /* not an event */ }
  };
  es.addEventListener('hello', (m) => {
    try { on.hello(String((JSON.parse((m as MessageEvent<string>).data) as { session: string }).session)); } catch { /* ignore */ }
  });
  es.onopen = () => on.state(true);
  es.onerror = () => on.state(false);
  return { close: () => es.close() };
}
