import { z } from 'zod';

const plugin = z.custom<{ name: string; apply: unknown }>(
  (v) => typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string' && typeof (v as { apply?: unknown }).apply === 'function',
  { message: 'not a plugin: expected { name: string, apply(compiler) } (did you forget to call the plugin factory?)' },
);

export const configSchema = z.strictObject({
  plugins: z.array(plugin).optional(),
  jobs: z.number().int().positive().optional(),
  cacheDir: z.string().min(1).optional(),
  scheduler: z.looseObject({ mode: z.string().optional() }).optional(),
  cache: z.record(z.string(), z.looseObject({ maxSize: z.union([z.number().int().nonnegative(), z.string().min(1)]).optional() })).optional(),
  production: z.boolean().optional(),
  farm: z.strictObject({
    url: z.string().regex(/^https?:\/\/[^/]+\/?$/, 'an http:// (token) or https:// (mTLS) URL of a coordinator, e.g. http://10.0.0.5:7420'),
    token: z.string().min(16, 'at least 16 characters (fester farm init makes one)').optional(),
    tls: z.string().min(1).optional(),
    certName: z.string().min(1).optional(),
  }).optional(),
  journal: z.strictObject({
    keep: z.union([z.number().int().min(1, 'keep at least 1 session journal, or "all"'), z.literal('all')], { error: 'a number of sessions (at least 1) or "all"' }).optional(),
  }).optional(),
  toolchains: z.record(z.string(), z.strictObject({
    prefix: z.string().optional(),
    path: z.array(z.string()).optional(),
    sysroot: z.string().optional(),
    cc: z.string().optional(),
    cxx: z.string().optional(),
    ar: z.string().optional(),
  })).optional(),
});

export const CONFIG_KEYS = Object.keys(configSchema.shape);
