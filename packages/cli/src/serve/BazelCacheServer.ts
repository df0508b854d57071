import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { authorized } from './auth.js';
import type { Area, TierBlobStore } from './TierBlobStore.js';

/** Bodies are held in memory: refuse what would not fit comfortably (413). */
export const MAX_BODY = 512 * 1024 * 1024;

export interface ServeStats { gets: number; hits: number; misses: number; puts: number; refused: number; unauthorized: number }

/**
 * The bazel-remote HTTP cache protocol: GET/HEAD/PUT `/ac/<sha256>` and `/cas/<sha256>`
 * (an optional instance prefix before them is ignored, as bazel-remote does). 200 / 404 on
 * reads; a PUT to `/cas/` whose body does not hash to its name is refused with 400; writes
 * without the token get 401.
 */
export function bazelCacheServer(store: TierBlobStore, token: string): { server: Server; stats: ServeStats } {
  const stats: ServeStats = { gets: 0, hits: 0, misses: 0, puts: 0, refused: 0, unauthorized: 0 };
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, `cache error: ${e instanceof Error ? e.message : String(e)}\n`);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const m = /\/(ac|cas)\/([0-9a-fA-F]{64})$/.exec(path);
    if (!m) return send(res, 404, 'not a cache path: use /ac/<sha256> or /cas/<sha256>\n');
    const area = m[1] as Area;
    const hash = m[2]!.toLowerCase();
    if (req.method === 'GET' || req.method === 'HEAD') {
      stats.gets++;
      const data = await store.get(area, hash);
      if (!data) { stats.misses++; return send(res, 404, ''); }
      stats.hits++;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length });
      res.end(req.method === 'HEAD' ? undefined : data);
      return;
    }
    if (req.method !== 'PUT') return send(res, 405, 'use GET, HEAD or PUT\n', { allow: 'GET, HEAD, PUT' });
    if (!authorized(req, token)) {
      stats.unauthorized++;
      req.resume();
      return send(res, 401, 'writes need the token: Authorization: Bearer <token>, or http://user:<token>@host/\n', { 'www-authenticate': 'Basic realm="fester", Bearer' });
    }
    const body = await readBody(req);
    if (!body) return send(res, 413, `body larger than ${MAX_BODY} bytes\n`);
    if (area === 'cas' && createHash('sha256').update(body).digest('hex') !== hash) {
      stats.refused++;
      return send(res, 400, `body does not match its sha256 ${hash}\n`);
    }
    await store.put(area, hash, body);
    stats.puts++;
    send(res, 200, '');
  }

  return { server, stats };
}

function send(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The whole body, or undefined past MAX_BODY (the rest is drained, not buffered). */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) over = true;
    if (!over) chunks.push(c as Buffer);
  }
  return over ? undefined : Buffer.concat(chunks);
}
