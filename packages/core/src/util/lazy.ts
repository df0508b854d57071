import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A CommonJS-capable dependency loaded synchronously on first use. The CLI's no-op path must
 * not pay for parsers and validators it does not need (yaml, zod, tinyglobby each cost tens
 * of milliseconds to load); this keeps their use sites synchronous.
 */
export function lazy<T>(id: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= require(id) as T);
}
