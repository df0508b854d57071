import type { IncomingMessage, ServerResponse } from 'node:http';
import { CasStore } from '../../cas/CasStore.js';
import { FesterError } from '../../errors/FesterError.js';
import { sendJson } from '../../http/HttpRoutes.js';
import type { Farm } from './Farm.js';

/** Blobs larger than this are refused: actions' inputs and outputs, not disk images. */
const MAX_BLOB = 1024 * 1024 * 1024;

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) { req.destroy(); reject(new FesterError('FE0805', { message: `request body over ${limit} bytes` })); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson<T>(body: Buffer): T {
  try { return JSON.parse(body.toString('utf8')) as T; } catch {
    throw new FesterError('FE0804', { message: 'request body is not JSON' });
  }
}

/**
 * The coordinator's own endpoints: the blob store and node control. Observability endpoints
 * (builds, replay, metrics, UI) come from `compiler.routes`.
 */
export function farmRoutes(farm: Farm, cas: CasStore) {
  return {
    async handle(req: IncomingMessage, res: ServerResponse, checkBody: (body: Buffer) => void): Promise<boolean> {
      const url = new URL(req.url ?? '/', 'http://x');
      const method = req.method ?? 'GET';
      const cas1 = /^\/cas\/([^/]+)$/.exec(url.pathname);
      if (cas1 && cas1[1] !== 'missing') {
        const digest = cas1[1]!;
        if (!CasStore.isDigest(digest)) throw new FesterError('FE0804', { message: `not a sha256 digest: ${digest.slice(0, 80)}` });
        if (method === 'GET' || method === 'HEAD') {
          const data = cas.get(digest);
          if (!data) { sendJson(res, 404, { code: 'FE0003', message: `no blob ${digest}` }); return true; }
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length });
          res.end(method === 'HEAD' ? undefined : data);
          return true;
        }
        if (method === 'PUT') {
          const body = await readBody(req, MAX_BLOB);
          checkBody(body);
          if (!cas.put(digest, body)) throw new FesterError('FE0808', { message: `blob does not match its digest ${digest.slice(0, 12)}…` });
          sendJson(res, 201, { digest, size: body.length });
          return true;
        }
      }
      if (url.pathname === '/cas/missing' && method === 'POST') {
        const body = await readBody(req, 16 * 1024 * 1024);
        checkBody(body);
        const j = parseJson<{ digests?: unknown }>(body);
        if (!Array.isArray(j.digests) || !j.digests.every((d) => typeof d === 'string')) throw new FesterError('FE0804', { message: 'expected { digests: string[] }' });
        sendJson(res, 200, { missing: cas.missing(j.digests as string[]) });
        return true;
      }
      if (url.pathname === '/api/nodes' && method === 'GET') {
        sendJson(res, 200, { version: farm.nodes.currentVersion, nodes: farm.nodes.snapshot() });
        return true;
      }
      const pol = /^\/api\/nodes\/([^/]+)\/policy$/.exec(url.pathname);
      if (pol && method === 'POST') {
        const body = await readBody(req, 64 * 1024);
        checkBody(body);
        const j = parseJson<{ policy?: unknown; by?: unknown }>(body);
        const node = decodeURIComponent(pol[1]!);
        const previous = farm.nodes.setPolicy(node, String(j.policy));
        farm.emit({ type: 'node.policy', node, policy: String(j.policy), previous, ...(typeof j.by === 'string' ? { by: j.by } : {}) });
        sendJson(res, 200, { node, policy: j.policy, previous });
        return true;
      }
      if (url.pathname === '/healthz') { sendJson(res, 200, { ok: true, nodes: farm.nodes.all().length, leases: farm.leases.size }); return true; }
      return false;
    },
  };
}
