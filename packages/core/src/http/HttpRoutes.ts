import type { IncomingMessage, ServerResponse } from 'node:http';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

interface Route {
  method: string;
  prefix: string;
  owner: string;
  handler: RouteHandler;
}

/**
 * HTTP routes plugins contribute (the API, `/metrics`, the web UI), mounted by whichever
 * server a session runs: the coordinator, `fester build --serve`, `fester ui`. The longest
 * matching prefix wins, so a plugin can own `/ui/` while another owns `/ui/extra/`.
 */
export class HttpRoutes {
  private readonly routes: Route[] = [];

  /** `prefix` ending in `/` matches everything under it; otherwise the exact path. */
  add(method: string, prefix: string, owner: string, handler: RouteHandler): void {
    this.routes.push({ method: method.toUpperCase(), prefix, owner, handler });
    this.routes.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** The route for a request, or undefined (the server answers 404). */
  match(method: string, pathname: string): Route | undefined {
    const m = method.toUpperCase();
    return this.routes.find((r) => (r.method === m || (m === 'HEAD' && r.method === 'GET')) &&
      (r.prefix.endsWith('/') ? pathname.startsWith(r.prefix) : pathname === r.prefix));
  }

  /** Serve a request if a route matches; false lets the server answer otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = this.match(req.method ?? 'GET', url.pathname);
    if (!route) return false;
    try {
      await route.handler(req, res, url);
    } catch (e) {
      if (!res.headersSent) sendJson(res, 500, { code: 'FE0001', message: `${route.owner}: ${e instanceof Error ? e.message : String(e)}` });
      else res.end();
    }
    return true;
  }

  list(): { method: string; prefix: string; owner: string }[] {
    return this.routes.map(({ method, prefix, owner }) => ({ method, prefix, owner }));
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
