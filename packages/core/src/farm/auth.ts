import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FesterError } from '../errors/FesterError.js';

/**
 * How a farm peer proves who it is. `token`: every request is signed with HMAC-SHA256 over
 * method, path, time, nonce and body digest (the token itself never travels, and a captured
 * request cannot be replayed). `tls`: mTLS with the farm CA made by `fester farm init`.
 */
export type FarmAuth = { token: string } | { tls: TlsFiles };

export interface TlsFiles {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** Requests older or newer than this (by the signer's clock) are refused as stale. */
export const SIGNATURE_WINDOW_MS = 5 * 60_000;

export const AUTH_HEADERS = { time: 'x-fester-time', nonce: 'x-fester-nonce', sig: 'x-fester-signature', body: 'x-fester-body' } as const;

function bodyDigest(body?: Buffer | string): string {
  return createHash('sha256').update(body ?? '').digest('hex');
}

function mac(token: string, method: string, path: string, time: string, nonce: string, body: string): string {
  return createHmac('sha256', token).update(`${method.toUpperCase()}\n${path}\n${time}\n${nonce}\n${body}`).digest('hex');
}

/** Headers that authenticate one request in token mode. */
export function signRequest(token: string, method: string, path: string, body?: Buffer | string, now = Date.now()): Record<string, string> {
  const time = String(now);
  const nonce = randomBytes(16).toString('hex');
  const b = bodyDigest(body);
  return { [AUTH_HEADERS.time]: time, [AUTH_HEADERS.nonce]: nonce, [AUTH_HEADERS.body]: b, [AUTH_HEADERS.sig]: mac(token, method, path, time, nonce, b) };
}

/**
 * Checks signatures and remembers nonces for the window, so the same signed request is
 * accepted once. The body digest is checked by the caller once the body has been read.
 */
export class RequestVerifier {
  private readonly seen = new Map<string, number>();

  constructor(private readonly token: string) {}

  /** Throws FE0802 (bad or missing signature) or FE0803 (replayed or stale). */
  verify(method: string, path: string, headers: Record<string, string | string[] | undefined>, now = Date.now()): { bodyDigest: string } {
    const h = (k: string) => { const v = headers[k]; return Array.isArray(v) ? v[0] : v; };
    const time = h(AUTH_HEADERS.time), nonce = h(AUTH_HEADERS.nonce), sig = h(AUTH_HEADERS.sig), body = h(AUTH_HEADERS.body);
    if (!time || !nonce || !sig || !body) throw new FesterError('FE0802', { message: 'request is not signed' });
    const want = Buffer.from(mac(this.token, method, path, time, nonce, body), 'hex');
    const got = Buffer.from(sig, 'hex');
    if (got.length !== want.length || !timingSafeEqual(got, want)) throw new FesterError('FE0802', { message: 'request signature does not match the farm token' });
    const t = Number(time);
    if (!Number.isFinite(t) || Math.abs(now - t) > SIGNATURE_WINDOW_MS) throw new FesterError('FE0803', { message: `request time is ${Math.round((now - t) / 1000)} s off` });
    this.prune(now);
    if (this.seen.has(nonce)) throw new FesterError('FE0803', { message: 'request was already used (replay)' });
    this.seen.set(nonce, t);
    return { bodyDigest: body };
  }

  static bodyMatches(expected: string, body: Buffer | string): boolean {
    return bodyDigest(body) === expected;
  }

  private prune(now: number): void {
    if (this.seen.size < 10_000) return;
    for (const [n, t] of this.seen) if (Math.abs(now - t) > SIGNATURE_WINDOW_MS) this.seen.delete(n);
  }
}

/** Load `ca.pem`, `<name>.pem`, `<name>.key` from a folder made by `fester farm init`. */
export function loadTlsFiles(dir: string, name: string): TlsFiles {
  const read = (f: string) => {
    try { return readFileSync(join(dir, f)); } catch {
      throw new FesterError('FE0814', { message: `missing ${join(dir, f)}` });
    }
  };
  return { ca: read('ca.pem'), cert: read(`${name}.pem`), key: read(`${name}.key`) };
}
