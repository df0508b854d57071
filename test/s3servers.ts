import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { Client } from 'minio';
// s3rver is CommonJS without types: a real S3-compatible HTTP server, objects on disk.
// @ts-expect-error no type declarations
import S3rver from 's3rver';

export const S3_KEY = 'S3RVER';
export const S3_SECRET = 'S3RVER';
export const BUCKET = 'fester';

/**
 * A real S3 server (s3rver) on a loopback address. Its data lives in `dir`, so `stop()`
 * (which also cuts open connections, as a crash would) and `start()` again on the same
 * port bring back the same objects: a node that went down and came back.
 */
export class S3Server {
  port = 0;
  private server?: { run(): Promise<{ port: number }>; close(): Promise<void>; httpServer?: Server };

  constructor(readonly host: string, readonly dir: string, readonly buckets: string[] = [BUCKET]) {
    mkdirSync(dir, { recursive: true });
  }

  get url(): string { return `http://${this.host}:${this.port}`; }
  get running(): boolean { return !!this.server; }

  async start(): Promise<this> {
    const s = new S3rver({ address: this.host, port: this.port, silent: true, directory: this.dir, configureBuckets: this.buckets.map((name) => ({ name })) });
    const addr = await s.run();
    this.port = addr.port;
    this.server = s;
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    s.httpServer?.closeAllConnections();
    await s.close();
  }

  client(): Client {
    return new Client({ endPoint: this.host, port: this.port, useSSL: false, accessKey: S3_KEY, secretKey: S3_SECRET, region: 'us-east-1', pathStyle: true });
  }

  /** Object names in the bucket (bounded by the bucket's size). */
  async list(prefix = ''): Promise<string[]> {
    const names: string[] = [];
    for await (const o of this.client().listObjectsV2(BUCKET, prefix, true)) if (o.name) names.push(o.name);
    return names.sort();
  }

  async read(name: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of await this.client().getObject(BUCKET, name)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  async write(name: string, data: Buffer): Promise<void> {
    await this.client().putObject(BUCKET, name, data, data.length);
  }
}

/** `n` servers on 127.0.0.<first>, <first+1>, …, data under `base`. */
export async function startS3Servers(base: string, n: number, first = 20): Promise<S3Server[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => new S3Server(`127.0.0.${first + i}`, join(base, `s3-${i}`)).start()));
}

/** A festerconfig.mjs that enables the S3 tier with the given options (JSON-serialisable). */
export function minioConfig(options: Record<string, unknown>): string {
  return `import minio from '@fester/plugin-minio';\nexport default { plugins: [minio(${JSON.stringify({ bucket: BUCKET, accessKey: S3_KEY, secretKey: S3_SECRET, timeoutMs: 2000, ...options })})] };\n`;
}
