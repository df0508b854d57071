import { PluginOptionError, pluginOptions } from '@fester/core';
import { z } from '@fester/core/zod';

export const PLUGIN = '@fester/plugin-minio';

const endpoint = z.union([
  z.string().min(1),
  z.strictObject({
    url: z.string().min(1),
    accessKey: z.string().optional(),
    secretKey: z.string().optional(),
    region: z.string().optional(),
  }),
]);

const schema = z.strictObject({
  /** `http://host:port` (credentials may sit in the URL: `http://key:secret@host:port`) or objects. */
  endpoints: z.array(endpoint).min(1),
  bucket: z.string().min(3),
  accessKey: z.string().optional(),
  secretKey: z.string().optional(),
  region: z.string().default('us-east-1'),
  /** Prepended to every object name, to share a bucket between farms. */
  prefix: z.string().default(''),
  /** Endpoints that must acknowledge a write; default: a majority. */
  writeQuorum: z.number().int().min(1).optional(),
  /** Per request; a slower endpoint counts as failed for that request. */
  timeoutMs: z.number().int().min(50).default(3000),
  /** Consecutive failures that open an endpoint's circuit, and how long it stays open. */
  breakerFailures: z.number().int().min(1).default(3),
  breakerCooldownMs: z.number().int().min(0).default(10_000),
  readRepair: z.boolean().default(true),
  /** A farm of more than 3 nodes with a single endpoint: warn, or refuse to build. */
  redundancy: z.enum(['warn', 'refuse']).default('warn'),
  /** Overrides `compiler.nodes.length` for the redundancy rule (tests, planned farms). */
  farmSize: z.number().int().min(1).optional(),
  /** Create the bucket when it is missing instead of going on without that endpoint. */
  createBucket: z.boolean().default(false),
});

export type MinioOptions = z.input<typeof schema>;
export type ResolvedOptions = z.output<typeof schema>;

export interface EndpointConfig {
  /** `host:port`, as shown in messages and events (never the credentials). */
  id: string;
  host: string;
  port: number;
  useSSL: boolean;
  accessKey: string;
  secretKey: string;
  region: string;
}

export function parseOptions(options: unknown): ResolvedOptions & { endpointConfigs: EndpointConfig[]; quorum: number } {
  const o = pluginOptions(PLUGIN, schema, options);
  const endpointConfigs = o.endpoints.map((e, i) => endpointConfig(typeof e === 'string' ? { url: e } : e, o, i));
  const n = endpointConfigs.length;
  const quorum = o.writeQuorum ?? Math.floor(n / 2) + 1;
  if (quorum > n) {
    throw new PluginOptionError(PLUGIN, 'writeQuorum', `plugin "${PLUGIN}": option "writeQuorum": ${quorum} is more than the ${n} endpoint(s) configured`, 'set writeQuorum to at most the number of endpoints, or leave it out for a majority');
  }
  return { ...o, endpointConfigs, quorum };
}

function endpointConfig(e: { url: string; accessKey?: string; secretKey?: string; region?: string }, o: ResolvedOptions, i: number): EndpointConfig {
  let u: URL;
  try {
    u = new URL(e.url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new PluginOptionError(PLUGIN, 'endpoints', `plugin "${PLUGIN}": option "endpoints[${i}]": "${e.url}" is not an http(s)://host:port URL`, 'write each endpoint as http://host:port (or https://)');
  }
  const useSSL = u.protocol === 'https:';
  const accessKey = e.accessKey ?? (u.username ? decodeURIComponent(u.username) : undefined) ?? o.accessKey ?? process.env.MINIO_ACCESS_KEY ?? process.env.AWS_ACCESS_KEY_ID ?? '';
  const secretKey = e.secretKey ?? (u.password ? decodeURIComponent(u.password) : undefined) ?? o.secretKey ?? process.env.MINIO_SECRET_KEY ?? process.env.AWS_SECRET_ACCESS_KEY ?? '';
  const port = u.port ? Number(u.port) : useSSL ? 443 : 80;
  return { id: `${u.hostname}:${port}`, host: u.hostname, port, useSSL, accessKey, secretKey, region: e.region ?? o.region };
}
