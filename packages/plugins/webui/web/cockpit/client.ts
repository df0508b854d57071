/**
 * Talks to a Fester coordinator from inside Cockpit. Requests go through cockpit.http, i.e.
 * from the Cockpit bridge on the server, not from the browser: no CORS, and Cockpit's
 * Content-Security-Policy (connect-src 'self') would block a direct fetch anyway. Outside
 * Cockpit (the page opened on its own) it falls back to fetch, which needs CORS.
 */
export interface ModuleConfig {
  coordinator?: string;
  /** File with the farm token; read through Cockpit to sign policy changes (token mode). */
  tokenFile?: string;
  /** mTLS mode: the farm CA and a client certificate made by `fester farm init`. */
  tls?: { ca?: string; cert?: string; key?: string };
}

export class CoordinatorError extends Error {
  constructor(readonly status: number | undefined, message: string) {
    super(message);
  }
}

export class Coordinator {
  private http?: CockpitHttpClient;
  private token?: Promise<string | undefined>;

  constructor(readonly url: string, private readonly config: ModuleConfig, private readonly typedToken: () => string | undefined) {
    const u = new URL(url);
    if (typeof cockpit !== 'undefined' && cockpit) {
      const tls = u.protocol === 'https:'
        ? { ...(config.tls?.ca ? { authority: { file: config.tls.ca } } : { validate: false }), ...(config.tls?.cert ? { certificate: { file: config.tls.cert } } : {}), ...(config.tls?.key ? { key: { file: config.tls.key } } : {}) }
        : undefined;
      this.http = cockpit.http({ address: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)), ...(tls ? { tls } : {}) });
    }
  }

  /**
   * Signed too when a token is at hand: a coordinator started with `--private-read` refuses
   * unsigned reads, and an open one ignores the signature of a read.
   */
  async get<T>(path: string): Promise<T> {
    const token = await this.secret();
    const headers = token ? await sign(token, 'GET', path, '') : {};
    return JSON.parse(await this.request('GET', path, undefined, headers)) as T;
  }

  /** A signed POST: HMAC-SHA256 over method, path, time, nonce and body digest (core/farm/auth.ts). */
  async post<T>(path: string, body: unknown): Promise<T> {
    const text = JSON.stringify(body);
    const token = await this.secret();
    const headers = token ? await sign(token, 'POST', path, text) : {};
    return JSON.parse(await this.request('POST', path, text, { 'content-type': 'application/json', ...headers })) as T;
  }

  close(): void {
    this.http?.close();
  }

  private async request(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<string> {
    if (this.http) {
      try {
        // cockpit.http sends the request only once it has a body: without one (undefined)
        // the channel waits for more input and the request never leaves the bridge.
        return await this.http.request({ method, path, headers, body: body ?? '' });
      } catch (e) {
        const err = e as CockpitHttpError;
        throw new CoordinatorError(err.status, describe(err, body));
      }
    }
    const res = await fetch(new URL(path, this.url), { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    if (!res.ok) throw new CoordinatorError(res.status, messageOf(text) ?? `${res.status} ${res.statusText}`);
    return text;
  }

  private secret(): Promise<string | undefined> {
    const typed = this.typedToken();
    if (typed) return Promise.resolve(typed);
    if (!this.config.tokenFile || typeof cockpit === 'undefined' || !cockpit) return Promise.resolve(undefined);
    this.token ??= Promise.resolve(cockpit.file(this.config.tokenFile, { superuser: 'try' }).read()).then(parseToken, () => undefined);
    return this.token;
  }
}

function parseToken(text: string | null): string | undefined {
  const t = text?.trim();
  if (!t) return undefined;
  try {
    const j = JSON.parse(t) as { token?: string };
    if (typeof j.token === 'string') return j.token;
  } catch { /* a plain token file */ }
  return t.split('\n')[0]!.trim();
}

function messageOf(text: string): string | undefined {
  try {
    const j = JSON.parse(text) as { code?: string; message?: string };
    return j.message ? `${j.code ? `${j.code} ` : ''}${j.message}` : undefined;
  } catch { return undefined; }
}

function describe(err: CockpitHttpError, _body?: string): string {
  if (err.status) return `${err.status} ${err.reason ?? ''} ${err.message ?? ''}`.trim();
  return err.message ?? err.problem ?? 'request failed';
}

const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');

async function sign(token: string, method: string, path: string, body: string): Promise<Record<string, string>> {
  const enc = new TextEncoder();
  const time = String(Date.now());
  const nonce = hex(crypto.getRandomValues(new Uint8Array(16)).buffer);
  const digest = hex(await crypto.subtle.digest('SHA-256', enc.encode(body)));
  const key = await crypto.subtle.importKey('raw', enc.encode(token), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = hex(await crypto.subtle.sign('HMAC', key, enc.encode(`${method}\n${path}\n${time}\n${nonce}\n${digest}`)));
  return { 'x-fester-time': time, 'x-fester-nonce': nonce, 'x-fester-body': digest, 'x-fester-signature': sig };
}
