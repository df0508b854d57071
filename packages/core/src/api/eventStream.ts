import type { IncomingMessage, ServerResponse } from 'node:http';
import { FesterError } from '../errors/FesterError.js';
import type { FesterEvent } from '../journal/events.js';
import type { ApiService } from './ApiService.js';
import { notFound, onlyParams, queryInt } from './httpErrors.js';

const KEEPALIVE_MS = 15_000;

/**
 * `GET /api/events`: the session's journal as Server-Sent Events, `id:` = journal seq. A client
 * that reconnects with `Last-Event-ID: n` (EventSource does it by itself) first gets every event
 * after n from the journal, then the live ones: nothing lost, nothing twice. Replay and live
 * hand over within one synchronous step, so no event can fall between them.
 */
export function serveEvents(api: ApiService, req: IncomingMessage, res: ServerResponse, url: URL): void {
  onlyParams(url, ['session', 'build', 'type', 'lastEventId']);
  api.prepare();
  const sessionId = url.searchParams.get('session') || api.defaultSession();
  if (!sessionId) throw notFound('FE1102', 'no session to stream: no journal in the served folders yet');
  if (!api.index.session(sessionId) && !(api.followOwnSession && sessionId === api.compiler.sessionId)) {
    throw notFound('FE1102', `no session "${sessionId}"`);
  }
  const header = req.headers['last-event-id'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  let after: number;
  if (fromHeader !== undefined && fromHeader !== '') {
    if (!/^\d+$/.test(fromHeader)) throw new FesterError('FE1104', { message: `Last-Event-ID ${JSON.stringify(fromHeader)} is not a journal seq` });
    after = Number(fromHeader);
  } else {
    after = queryInt(url, 'lastEventId', { min: 0, fallback: 0 })!;
  }
  const build = url.searchParams.get('build') || undefined;
  const types = url.searchParams.get('type')?.split(',').filter(Boolean);
  const wanted = (ev: FesterEvent) => (!build || ev.build === build || ev.build === undefined) && (!types || types.some((t) => (t.endsWith('.') ? ev.type.startsWith(t) : ev.type === t)));

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    // Proxies (nginx) must not buffer a stream.
    'x-accel-buffering': 'no',
  });
  res.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify({ session: sessionId, after })}\n\n`);
  const send = (ev: FesterEvent, raw: string) => { if (wanted(ev)) res.write(`id: ${ev.seq}\ndata: ${raw}\n\n`); };

  const log = api.index.session(sessionId);
  let sent = after;
  if (log) {
    for (let i = log.indexOfSeq(after + 1); i < log.events.length; i++) send(log.events[i]!, log.raw[i]!);
    sent = Math.max(after, log.lastSeq);
  }
  const unsubscribe = api.index.subscribe((s, ev, raw) => {
    if (s.id !== sessionId || ev.seq <= sent) return;
    sent = ev.seq;
    send(ev, raw);
  });
  const ping = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  ping.unref();
  api.addStream(res);
  res.once('close', () => { clearInterval(ping); unsubscribe(); });
}
