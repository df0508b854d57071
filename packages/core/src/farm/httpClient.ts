import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import WebSocket from 'ws';
import { FesterError } from '../errors/FesterError.js';
import { signRequest, type FarmAuth } from './auth.js';
import { MAX_FRAME_BYTES } from './protocol.js';

/**
 * One way for agents, build clients and the CLI to talk to a coordinator: `http://` URLs use
 * the signed-token scheme, `https://` URLs mTLS with the farm CA. Connection failures are
 * FE0801 naming the URL; an auth refusal is FE0802/FE0803 as the coordinator coded it.
 */
export interface FarmEndpoint {
  url: URL;
  auth: FarmAuth;
}

export interface FarmResponse {
  status: number;
  body: Buffer;
  json<T = unknown>(): T;
}

function tlsOptions(ep: FarmEndpoint) {
  if (!('tls' in ep.auth)) return {};
  // The farm CA is the only trust root; the coordinator's certificate names its hosts.
  return { ca: ep.auth.tls.ca, cert: ep.auth.tls.cert, key: ep.auth.tls.key };
}

function authHeaders(ep: FarmEndpoint, method: string, path: string, body?: Buffer | string): Record<string, string> {
  return 'token' in ep.auth ? signRequest(ep.auth.token, method, path, body) : {};
}

export function farmRequest(ep: FarmEndpoint, method: string, path: string, body?: Buffer | string, timeoutMs = 30_000): Promise<FarmResponse> {
  const https = ep.url.protocol === 'https:';
  const req = (https ? httpsRequest : httpRequest)({
    host: ep.url.hostname,
    port: ep.url.port || (https ? 443 : 80),
    method,
    path,
    headers: { ...authHeaders(ep, method, path, body), ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}) },
    timeout: timeoutMs,
    ...tlsOptions(ep),
  });
  return new Promise((resolve, reject) => {
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => reject(unreachable(ep, e)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => reject(unreachable(ep, e)));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        const out: FarmResponse = { status: res.statusCode ?? 0, body: buf, json: <T>() => JSON.parse(buf.toString('utf8')) as T };
        if (out.status === 401 || out.status === 403) reject(refusal(out));
        else resolve(out);
      });
    });
    req.end(body);
  });
}

/** Open a control WebSocket (`/ws/agent` or `/ws/client`); resolves once it is open. */
export function openFarmSocket(ep: FarmEndpoint, path: string, timeoutMs = 10_000): Promise<WebSocket> {
  const base = new URL(ep.url);
  base.protocol = ep.url.protocol === 'https:' ? 'wss:' : 'ws:';
  base.pathname = path;
  const ws = new WebSocket(base, {
    headers: authHeaders(ep, 'GET', path),
    maxPayload: MAX_FRAME_BYTES,
    handshakeTimeout: timeoutMs,
    ...tlsOptions(ep),
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => { ws.removeAllListeners('error'); resolve(ws); });
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        ws.terminate();
        reject(refusal({ status: res.statusCode ?? 0, body: buf, json: <T>() => JSON.parse(buf.toString('utf8')) as T }));
      });
    });
    ws.once('error', (e) => reject(unreachable(ep, e)));
  });
}

function unreachable(ep: FarmEndpoint, e: Error): FesterError {
  const code = (e as { code?: string }).code;
  if (code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO/.test(code)) {
    return new FesterError('FE0814', { message: `TLS handshake with ${ep.url.origin} failed: ${e.message}` });
  }
  return new FesterError('FE0801', { message: `coordinator ${ep.url.origin} does not answer: ${e.message}` });
}

function refusal(res: FarmResponse): FesterError {
  let code = 'FE0802', message = `coordinator refused the request (HTTP ${res.status})`;
  try {
    const j = res.json<{ code?: string; message?: string }>();
    if (j.code === 'FE0803' || j.code === 'FE0802' || j.code === 'FE0814') code = j.code;
    if (j.message) message = j.message;
  } catch { /* not JSON: keep the generic message */ }
  return new FesterError(code as 'FE0802', { message });
}
