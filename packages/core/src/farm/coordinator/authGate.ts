import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { FesterError } from '../../errors/FesterError.js';
import { RequestVerifier } from '../auth.js';

/**
 * Who may do what on a coordinator. In token mode every mutating or data-bearing request
 * (CAS, control sockets, policy changes) must carry a fresh signature; in mTLS mode the TLS
 * layer already refused peers without a farm certificate, so the certificate is the proof.
 * Read-only observability (`GET /api/*`, `/metrics`, `/ui/`) is open unless `privateRead`,
 * so Prometheus and a browser can look without holding the farm secret.
 */
export class AuthGate {
  private readonly verifier?: RequestVerifier;

  constructor(mode: { token: string } | { tls: true }, private readonly privateRead = false) {
    if ('token' in mode) this.verifier = new RequestVerifier(mode.token);
  }

  static isObservability(method: string, path: string): boolean {
    return method === 'GET' && (path.startsWith('/api/') || path === '/metrics' || path.startsWith('/ui/') || path === '/healthz');
  }

  /** Throws FE0802/FE0803; returns the body digest to check (token mode) or undefined. */
  check(req: IncomingMessage): string | undefined {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    if (!this.privateRead && AuthGate.isObservability(method, new URL(path, 'http://x').pathname)) return undefined;
    if (!this.verifier) {
      const sock = req.socket as TLSSocket;
      if (typeof sock.authorized === 'boolean' && !sock.authorized) throw new FesterError('FE0802', { message: 'client certificate not signed by the farm CA' });
      return undefined;
    }
    return this.verifier.verify(method, path, req.headers).bodyDigest;
  }

  bodyOk(expected: string | undefined, body: Buffer): boolean {
    return expected === undefined || RequestVerifier.bodyMatches(expected, body);
  }
}
