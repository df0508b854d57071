import { createServer, type Server } from 'node:http';
import { apiService, CODES, FesterError, sendJson, type Compiler } from '@fester/core';

export interface ApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The HTTP server of `fester build --serve` and `fester ui`: it serves nothing itself but
 * `compiler.routes` (the API, `/metrics`, the web UI — whatever plugins registered), plus a
 * route list at `/` so a person with curl can find their way.
 */
export async function startApiServer(compiler: Compiler, opts: { host: string; port: number }): Promise<ApiServer> {
  const server: Server = createServer((req, res) => {
    compiler.routes.handle(req, res).then((handled) => {
      if (handled) return;
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
        sendJson(res, 200, { session: compiler.sessionId, routes: compiler.routes.list() });
        return;
      }
      sendJson(res, 404, { code: 'FE1105', message: `no route ${req.method} ${path}`, hint: CODES.FE1105.hint });
    }, (e) => {
      if (!res.headersSent) sendJson(res, 500, { code: 'FE0001', message: e instanceof Error ? e.message : String(e) });
      else res.end();
    });
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new FesterError('FE1106', { message: `cannot listen on ${opts.host}:${opts.port}: ${e.code ?? e.message}` })));
    server.listen(opts.port, opts.host, () => resolve());
  });
  // Follow the session from now on: a stream opened mid-build still starts at event 1.
  apiService(compiler)?.activate();
  const port = (server.address() as { port: number }).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}`,
    port,
    async close() {
      // Live streams would hold the server open: end them (clients may resume with Last-Event-ID).
      apiService(compiler)?.closeStreams();
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
    },
  };
}
