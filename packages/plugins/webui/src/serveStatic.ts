import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteHandler } from '@fester/core';

/**
 * The pages load nothing from elsewhere and run no inline code (the same rule as Cockpit's
 * CSP, which the module shares): a CDN link or an inline script added later fails in the
 * browser tests instead of slipping through.
 */
const CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * Serve the files of `dir` under `prefix` (`/ui/` → `dir/index.html`). Only files inside the
 * folder are reachable: the path is normalised and refused if it climbs out. `dir` is a
 * function so the folder is located on the first request, not when every build starts.
 */
export function serveStatic(prefix: string, dir: () => string): RouteHandler {
  return (req: IncomingMessage, res: ServerResponse, url: URL) => {
    let rel: string;
    try { rel = decodeURIComponent(url.pathname.slice(prefix.length)); } catch { rel = '\0'; }
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const root = dir();
    const file = normalize(join(root, rel));
    if (rel.includes('\0') || !file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`no such UI file: ${url.pathname}\n`);
      return;
    }
    const st = statSync(file);
    const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': st.size,
      // Revalidate every time: a rebuilt Fester must never show a stale page.
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'content-security-policy': CSP,
      etag,
    });
    if (req.method === 'HEAD') { res.end(); return; }
    createReadStream(file).pipe(res);
  };
}
