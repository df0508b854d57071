import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import type { Client } from 'minio';
import { CircuitBreaker } from './CircuitBreaker.js';
import type { EndpointConfig } from './options.js';

export type GetResult =
  | { kind: 'found'; data: Buffer; sha256?: string }
  | { kind: 'missing' }
  | { kind: 'failed'; message: string };

export type ProbeResult = 'ok' | 'unreachable' | 'credentials' | 'bucket-missing';

/** Metadata header carrying the sha256 of an `ac/` object, checked on every read. */
const SHA_META = 'x-amz-meta-fester-sha256';
const MISSING = new Set(['NoSuchKey', 'NotFound']);
const CREDENTIALS = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken']);

class Timeout extends Error {}

let minioModule: typeof import('minio') | undefined;

/**
 * One S3 endpoint: the minio client behind a per-request timeout and a circuit breaker.
 * No method throws: a failure is a value, so a dead or slow endpoint cannot fail a build.
 */
export class Endpoint {
  readonly breaker: CircuitBreaker;
  private client?: Client;
  private readonly agent: Agent;

  constructor(readonly config: EndpointConfig, readonly bucket: string, private readonly timeoutMs: number, failures: number, cooldownMs: number) {
    this.breaker = new CircuitBreaker(failures, cooldownMs);
    // Our own agent, so shutdown can drop its sockets and never keep the process alive.
    const opts = { keepAlive: true, maxSockets: 16 };
    this.agent = config.useSSL ? new HttpsAgent(opts) : new Agent(opts);
  }

  get id(): string { return this.config.id; }

  private async lib(): Promise<Client> {
    minioModule ??= await import('minio');
    this.client ??= new minioModule.Client({
      endPoint: this.config.host, port: this.config.port, useSSL: this.config.useSSL,
      accessKey: this.config.accessKey, secretKey: this.config.secretKey,
      // A fixed region skips the bucket-location request before the first call.
      region: this.config.region, pathStyle: true, transportAgent: this.agent,
    });
    return this.client;
  }

  /** Is the bucket there and are we allowed in? Classifies the failure for a coded warning. */
  async probe(): Promise<{ result: ProbeResult; message: string }> {
    try {
      const c = await this.lib();
      const exists = await this.timed(c.bucketExists(this.bucket));
      return exists ? { result: 'ok', message: '' } : { result: 'bucket-missing', message: `bucket "${this.bucket}" does not exist` };
    } catch (e) {
      const code = codeOf(e);
      if (code === 'NoSuchBucket') return { result: 'bucket-missing', message: `bucket "${this.bucket}" does not exist` };
      if (CREDENTIALS.has(code)) return { result: 'credentials', message: `${code}: ${messageOf(e)}` };
      return { result: 'unreachable', message: e instanceof Timeout ? `no answer within ${this.timeoutMs} ms` : messageOf(e) };
    }
  }

  async createBucket(): Promise<string | undefined> {
    try {
      await this.timed((await this.lib()).makeBucket(this.bucket, this.config.region));
      return undefined;
    } catch (e) { return messageOf(e); }
  }

  async get(name: string): Promise<GetResult> {
    if (!this.breaker.allow()) return { kind: 'failed', message: `circuit open: ${this.breaker.lastError}` };
    try {
      const c = await this.lib();
      const res = await this.timed(c.getObject(this.bucket, name), (late) => (late as Readable).destroy());
      const sha256 = (res as Readable & { headers?: Record<string, string> }).headers?.[SHA_META];
      const data = await this.timed(collect(res), undefined, () => res.destroy());
      this.breaker.success();
      return { kind: 'found', data, ...(sha256 ? { sha256 } : {}) };
    } catch (e) {
      if (MISSING.has(codeOf(e))) {
        this.breaker.success();
        return { kind: 'missing' };
      }
      return this.failed(e);
    }
  }

  async put(name: string, data: Buffer, sha256?: string): Promise<string | undefined> {
    if (!this.breaker.allow()) return `circuit open: ${this.breaker.lastError}`;
    try {
      const c = await this.lib();
      await this.timed(c.putObject(this.bucket, name, data, data.length, sha256 ? { [SHA_META]: sha256 } : {}));
      this.breaker.success();
      return undefined;
    } catch (e) {
      return this.failed(e).message;
    }
  }

  /** Best effort: a poisoned object that stays is still never served (every read checks). */
  async remove(name: string): Promise<void> {
    if (!this.breaker.allow()) return;
    try {
      await this.timed((await this.lib()).removeObject(this.bucket, name));
      this.breaker.success();
    } catch (e) { this.failed(e); }
  }

  /** Every object under `prefix` (name, size), for `fester cache stats|verify`; throws on failure. */
  async list(prefix: string): Promise<{ name: string; size: number }[]> {
    const c = await this.lib();
    const out: { name: string; size: number }[] = [];
    for await (const o of c.listObjectsV2(this.bucket, prefix, true) as AsyncIterable<{ name?: string; size?: number }>) {
      if (o.name) out.push({ name: o.name, size: o.size ?? 0 });
    }
    return out;
  }

  /** Set by the tier: called when this endpoint's circuit opens. */
  onOpen?: (message: string) => void;

  private failed(e: unknown): { kind: 'failed'; message: string } {
    const message = e instanceof Timeout ? `no answer within ${this.timeoutMs} ms` : messageOf(e);
    if (this.breaker.failure(message)) this.onOpen?.(message);
    return { kind: 'failed', message };
  }

  /** Race a request against the timeout; `late` disposes of a result that arrives after it. */
  private timed<T>(p: Promise<T>, late?: (v: T) => void, onTimeout?: () => void): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    let expired = false;
    const t = new Promise<never>((_, reject) => {
      timer = setTimeout(() => { expired = true; onTimeout?.(); reject(new Timeout()); }, this.timeoutMs);
    });
    p.then((v) => { if (expired) late?.(v); }, () => {});
    return Promise.race([p, t]).finally(() => clearTimeout(timer));
  }

  close(): void {
    this.agent.destroy();
  }
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function codeOf(e: unknown): string {
  return String((e as { code?: unknown })?.code ?? '');
}

function messageOf(e: unknown): string {
  const code = codeOf(e);
  const msg = e instanceof Error ? e.message : String(e);
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}
