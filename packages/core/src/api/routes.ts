import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGzip, gzipSync } from 'node:zlib';
import { isFesterError } from '../errors/FesterError.js';
import { FesterError } from '../errors/FesterError.js';
import { autopsy } from '../explain/autopsy.js';
import { explainAction } from '../explain/explainAction.js';
import { eventsOf } from '../explain/sinceGreen.js';
import { sendJson, type HttpRoutes } from '../http/HttpRoutes.js';
import type { ApiService, MemoEntry } from './ApiService.js';
import { ACTION_STATES, type BuildIndex } from './BuildIndex.js';
import { causalGraph } from './causalGraph.js';
import { serveEvents } from './eventStream.js';
import { notFound, onlyParams, queryBool, queryEnum, queryInt, sendError } from './httpErrors.js';

const OWNER = 'fester:api';
const BUILD_STATUSES = ['running', 'success', 'failed', 'interrupted', 'abandoned'] as const;
const REPLAY_SLICE = 2000;

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, rest: string) => void;

/**
 * The read-only HTTP API over the journal (docs/api.md), on `compiler.routes`: whichever
 * server runs the session (coordinator, `fester build --serve`, `fester ui`) mounts it.
 */
export function registerApiRoutes(routes: HttpRoutes, api: ApiService): void {
  const add = (prefix: string, h: Handler) => routes.add('GET', prefix, OWNER, (req, res, url) => {
    try {
      h(req, res, url, decodeURIComponent(url.pathname.slice(prefix.length)));
    } catch (e) {
      sendError(res, e);
    }
  });

  add('/api/', (_req, _res, url) => { throw notFound('FE1105', `no endpoint ${url.pathname}`); });

  add('/api/sessions', (_req, res, url) => {
    onlyParams(url, []);
    api.prepare();
    sendJson(res, 200, { sessions: api.index.sessions().map((s) => ({ id: s.id, events: s.events.length, lastSeq: s.lastSeq, torn: s.torn, builds: api.index.buildsOf(s.id).map((b) => b.id) })) });
  });

  add('/api/builds', (_req, res, url) => {
    onlyParams(url, ['limit', 'offset', 'status', 'project', 'session']);
    const limit = queryInt(url, 'limit', { min: 1, max: 10_000, fallback: 100 })!;
    const offset = queryInt(url, 'offset', { min: 0, fallback: 0 })!;
    const status = queryEnum(url, 'status', BUILD_STATUSES);
    const project = url.searchParams.get('project') || undefined;
    const session = url.searchParams.get('session') || undefined;
    api.prepare();
    if (session && !api.index.session(session)) throw notFound('FE1102', `no session "${session}"`);
    const all = (session ? api.index.buildsOf(session) : api.index.builds())
      .filter((b) => (!status || b.status === status) && (!project || b.project === project))
      .reverse();
    sendJson(res, 200, { total: all.length, offset, limit, builds: all.slice(offset, offset + limit).map((b) => b.summary()) });
  });

  add('/api/builds/', (req, res, url, id) => {
    onlyParams(url, []);
    const b = findBuild(api, id);
    sendCached(req, res, api.memo(`build:${b.id}`, `${b.lastSeq}:${b.status}`, () => ({ ...b.summary(), states: ACTION_STATES, actionList: [...b.actions.values()] })));
  });

  add('/api/autopsy/', (req, res, url, id) => {
    onlyParams(url, []);
    const b = findBuild(api, id);
    // It reads earlier sessions too (the last green build): any new event may change it.
    sendCached(req, res, api.memo(`autopsy:${b.id}`, `${api.index.version}:${b.status}`, () => autopsy(api.index, b)));
  });

  add('/api/graph/', (req, res, url, id) => {
    onlyParams(url, ['all', 'action']);
    const all = queryBool(url, 'all');
    const action = url.searchParams.get('action') || undefined;
    const b = findBuild(api, id);
    if (action && !b.actions.has(action)) throw notFound('FE1103', `no action "${action}" in build ${b.id}`);
    sendCached(req, res, api.memo(`graph:${b.id}:${all}:${action ?? ''}`, `${api.index.version}`, () => causalGraph(api.index.session(b.session)!, b, { all, action })));
  });

  add('/api/explain/', (_req, res, url, rest) => {
    onlyParams(url, []);
    // The build id holds no '/', action ids do: everything after the first '/' is the action.
    const slash = rest.indexOf('/');
    if (slash < 0 || slash === rest.length - 1) throw new FesterError('FE1104', { message: 'give a build id and an action: /api/explain/<build id>/<action id>' });
    const b = findBuild(api, rest.slice(0, slash));
    try {
      sendJson(res, 200, explainAction(eventsOf(api.index, b), rest.slice(slash + 1)));
    } catch (e) {
      if (isFesterError(e) && e.code === 'FE0111') throw new FesterError('FE1103', { message: `${e.message} (build ${b.id})`, hint: e.hint });
      throw e;
    }
  });

  add('/api/replay/', (req, res, url, id) => {
    onlyParams(url, ['from', 'to', 'fromTs', 'toTs', 'build', 'limit']);
    const from = queryInt(url, 'from', { min: 0 });
    const to = queryInt(url, 'to', { min: 0 });
    const fromTs = queryInt(url, 'fromTs', { min: 0 });
    const toTs = queryInt(url, 'toTs', { min: 0 });
    const limit = queryInt(url, 'limit', { min: 1 });
    const build = url.searchParams.get('build') || undefined;
    if (from !== undefined && to !== undefined && to < from) throw new FesterError('FE1104', { message: `to=${to} is before from=${from}` });
    api.prepare();
    const log = api.index.session(id);
    if (!log) throw notFound('FE1102', `no session "${id}"`);
    if (build && !api.index.build(build)) throw notFound('FE1101', `no build "${build}"`);
    let lo = from === undefined ? 0 : log.indexOfSeq(from);
    let hi = to === undefined ? log.events.length : log.indexOfSeq(to + 1);
    if (fromTs !== undefined) lo = Math.max(lo, log.indexOfTs(fromTs));
    if (toTs !== undefined) hi = Math.min(hi, log.indexOfTs(toTs + 1));
    const parts: string[] = [];
    for (let i = lo; i < hi && (limit === undefined || parts.length < limit); i++) {
      if (build && log.events[i]!.build !== build && log.events[i]!.build !== undefined) continue;
      parts.push(log.raw[i]!);
    }
    // The events' JSON text is kept as read: the body is assembled, not re-serialised (a 10k-action session is ~50k events).
    const head = JSON.stringify({ session: log.id, lastSeq: log.lastSeq, torn: log.torn, badLines: log.badLines, count: parts.length });
    // A whole session is megabytes of JSON: compressed on the way out when the client accepts it.
    const gz = parts.length > REPLAY_SLICE && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', vary: 'accept-encoding', ...(gz ? { 'content-encoding': 'gzip' } : {}) });
    const out = gz ? createGzip({ level: 1 }) : res;
    if (gz) out.pipe(res);
    out.write(`${head.slice(0, -1)},"events":[`);
    // Written in slices: one 10 MB string would double the memory for no gain.
    for (let i = 0; i < parts.length; i += REPLAY_SLICE) out.write((i ? ',' : '') + parts.slice(i, i + REPLAY_SLICE).join(','));
    out.end(']}');
  });

  add('/api/nodes', (_req, res, url) => {
    onlyParams(url, []);
    const running = api.compiler.running;
    sendJson(res, 200, { session: api.compiler.sessionId, nodes: api.compiler.nodes.map((n) => ({ ...n, running: n.running ?? running.get(n.id) ?? 0 })) });
  });

  add('/api/events', (req, res, url) => serveEvents(api, req, res, url));
}

/** Above this, a client that accepts gzip gets the cached answer compressed (a 10k-action build is ~2.3 MB of JSON, ~10× less gzipped). */
const GZIP_MIN = 64 * 1024;

function sendCached(req: IncomingMessage, res: ServerResponse, entry: MemoEntry): void {
  const headers: Record<string, string | number> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', vary: 'accept-encoding' };
  if (entry.text.length >= GZIP_MIN && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    // Level 1: most of the gain for a fraction of the CPU; made once per cached answer.
    entry.gzip ??= gzipSync(entry.text, { level: 1 });
    res.writeHead(200, { ...headers, 'content-encoding': 'gzip', 'content-length': entry.gzip.length });
    res.end(entry.gzip);
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(entry.text) });
  res.end(entry.text);
}

function findBuild(api: ApiService, id: string): BuildIndex {
  if (!id || id.includes('/')) throw notFound('FE1101', `no build "${id}"`);
  api.prepare();
  const b = api.index.build(id);
  if (!b) throw notFound('FE1101', `no build "${id}"`);
  return b;
}
