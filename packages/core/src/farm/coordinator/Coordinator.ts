import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Compiler } from '../../Compiler.js';
import { CasStore } from '../../cas/CasStore.js';
import { FesterError, isFesterError } from '../../errors/FesterError.js';
import { sendJson } from '../../http/HttpRoutes.js';
import type { TlsFiles } from '../auth.js';
import { MAX_FRAME_BYTES } from '../protocol.js';
import { AuthGate } from './authGate.js';
import { Farm, type FarmTimings } from './Farm.js';
import { farmRoutes } from './farmRoutes.js';
import { JournalMirror } from './JournalMirror.js';
import { attachAgentSocket, attachClientSocket } from './sockets.js';
import { makeDirSync } from '../../util/makeDir.js';
import { DEFAULT_KEEP_SESSIONS } from '../../journal/retention.js';

export interface CoordinatorOptions {
  compiler: Compiler;
  /** Node table, policies and the blob store live here. */
  dataDir: string;
  host: string;
  /** 0 picks a free port (see `address`). */
  port: number;
  auth: { token: string } | { tls: TlsFiles };
  timings?: Partial<FarmTimings>;
  /** Require authentication for read-only API, metrics and UI too. */
  privateRead?: boolean;
  /** Session journals kept in `<dataDir>/sessions` (build mirrors and the coordinator's own); default DEFAULT_KEEP_SESSIONS. */
  keepSessions?: number | 'all';
}

export const DEFAULT_TIMINGS: FarmTimings = { heartbeatMs: 1000, timeoutMs: 5000, clockThresholdMs: 500 };

/**
 * `fester coordinator`: HTTP(S) for blobs and the API, WebSockets for agents and build
 * clients. Anything it does not serve itself goes to `compiler.routes` (API, metrics, UI).
 */
export class Coordinator {
  readonly farm: Farm;
  readonly cas: CasStore;
  private readonly server: Server;
  private readonly gate: AuthGate;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly routes: ReturnType<typeof farmRoutes>;
  private readonly mirror: JournalMirror;

  constructor(private readonly opts: CoordinatorOptions) {
    this.cas = new CasStore(join(opts.dataDir, 'cas'));
    this.farm = new Farm(opts.compiler, this.cas, join(opts.dataDir, 'nodes.json'), { ...DEFAULT_TIMINGS, ...opts.timings });
    const tls = 'tls' in opts.auth ? opts.auth.tls : undefined;
    this.gate = new AuthGate(tls ? { tls: true } : { token: (opts.auth as { token: string }).token }, opts.privateRead);
    this.routes = farmRoutes(this.farm, this.cas);
    const sessions = join(opts.dataDir, 'sessions');
    makeDirSync(sessions);
    const keep = opts.keepSessions ?? DEFAULT_KEEP_SESSIONS;
    this.mirror = new JournalMirror(sessions, opts.compiler.sessionId, keep, (gone) => {
      if (keep !== 'all') opts.compiler.emit({ type: 'journal.pruned', dir: sessions, keep, sessions: gone });
    });
    const handler = (req: IncomingMessage, res: ServerResponse) => { void this.request(req, res); };
    this.server = tls
      ? createHttps({ ca: tls.ca, cert: tls.cert, key: tls.key, requestCert: true, rejectUnauthorized: true }, handler)
      : createHttp(handler);
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.server.on('clientError', (_e, socket) => socket.destroy());
  }

  /** Keep the newest `keepSessions` journals (also done whenever a new build session arrives). */
  pruneSessions(): void {
    this.mirror.prune();
  }

  async start(): Promise<{ host: string; port: number; url: string }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (e: NodeJS.ErrnoException) => reject(new FesterError('FE0815', { message: `coordinator cannot listen on ${this.opts.host}:${this.opts.port}: ${e.code ?? e.message}` })));
      this.server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.farm.start();
    return this.address;
  }

  get address(): { host: string; port: number; url: string } {
    const a = this.server.address();
    const port = typeof a === 'object' && a ? a.port : this.opts.port;
    const scheme = 'tls' in this.opts.auth ? 'https' : 'http';
    return { host: this.opts.host, port, url: `${scheme}://${this.opts.host}:${port}` };
  }

  async stop(): Promise<void> {
    this.farm.stop();
    for (const ws of this.wss.clients) ws.terminate();
    this.mirror.closeAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections?.();
  }

  private async request(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const peer = req.socket.remoteAddress;
    let bodyDigest: string | undefined;
    try {
      bodyDigest = this.gate.check(req);
    } catch (e) {
      this.farm.rejected(e, peer);
      return sendJson(res, 401, errorBody(e));
    }
    try {
      const handled = await this.routes.handle(req, res, (body) => {
        if (!this.gate.bodyOk(bodyDigest, body)) throw new FesterError('FE0802', { message: 'request body does not match its signature' });
      });
      if (handled) return;
      if (await this.opts.compiler.routes.handle(req, res)) return;
      sendJson(res, 404, { code: 'FE0003', message: `no such endpoint: ${req.method} ${req.url}` });
    } catch (e) {
      if (!isFesterError(e)) throw e;
      this.farm.rejected(e, peer);
      if (!res.headersSent) sendJson(res, statusFor(e.code), errorBody(e));
    }
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const peer = req.socket.remoteAddress;
    const refuse = (status: number, body: object) => {
      const text = JSON.stringify(body);
      socket.end(`HTTP/1.1 ${status} Refused\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
    };
    if (path !== '/ws/agent' && path !== '/ws/client') return refuse(404, { code: 'FE0003', message: `no such socket: ${path}` });
    try {
      this.gate.check(req);
    } catch (e) {
      this.farm.rejected(e, peer);
      return refuse(401, errorBody(e));
    }
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (path === '/ws/agent') attachAgentSocket(ws, this.farm, peer);
      else attachClientSocket(ws, this.farm, this.mirror, peer);
    });
  }
}

function errorBody(e: unknown): { code: string; message: string } {
  return isFesterError(e) ? { code: e.code, message: e.message } : { code: 'FE0001', message: String(e) };
}

function statusFor(code: string): number {
  if (code === 'FE0802' || code === 'FE0803') return 401;
  if (code === 'FE0806') return 404;
  if (code === 'FE0805') return 413;
  return 400;
}
