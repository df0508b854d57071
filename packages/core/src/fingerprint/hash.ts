import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Piscina as PiscinaT } from 'piscina';

/** Files at least this big are hashed in a worker thread so the event loop keeps dispatching. */
export const BIG_FILE = 4 * 1024 * 1024;

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hashFileSync(path: string): string {
  return sha256(readFileSync(path));
}

let pool: PiscinaT | undefined;

/** sha256 of a file; big ones go to a piscina pool created on first use. */
export async function hashFile(path: string, size: number): Promise<string> {
  if (size < BIG_FILE) return hashFileSync(path);
  if (!pool) {
    const { Piscina } = await import('piscina');
    // Resolved by package name so it is found from the CLI bundle as well as from core itself.
    const filename = createRequire(import.meta.url).resolve('@fester/core/hashWorker');
    pool = new Piscina({ filename, maxThreads: 2, idleTimeout: 1000 });
    // An unhandled pool error would crash the process; a task's own failure rejects its promise.
    pool.on('error', () => {});
  }
  return (await pool.run(path)) as string;
}

export async function closeHashPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  if (p) await p.destroy();
}
