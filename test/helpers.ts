import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(REPO, 'packages/cli/dist/bin.js');

/**
 * A fresh copy of a fixture (and of any sibling fixture folders it refers to, such as
 * `plugins`) with its own cache dir: tests never share state. Copies live in the repo's
 * git-ignored `.test-tmp/` so that `@fester/core` resolves as it does for a real project.
 */
export function fixture(name: string, siblings: string[] = []): { dir: string; base: string; cache: string; cleanup(): void } {
  mkdirSync(join(REPO, '.test-tmp'), { recursive: true });
  const base = mkdtempSync(join(REPO, '.test-tmp', `${name}-`));
  for (const n of [name, ...siblings]) {
    cpSync(join(REPO, 'fixtures', n), join(base, n), { recursive: true, filter: (s) => !/\/(build|\.fester|node_modules)(\/|$)/.test(s.slice(REPO.length)) });
  }
  const cache = join(base, 'cache');
  return { dir: join(base, name), base, cache, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

export interface FesterRun { exitCode: number; stdout: string; stderr: string }

/** Run the built `fester` binary; never throws on a non-zero exit. */
export async function fester(args: string[], opts: { cwd: string; cache: string; env?: Record<string, string> }): Promise<FesterRun> {
  const r = await execa(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    reject: false,
    env: { FESTER_CACHE_DIR: opts.cache, CI: '1', ...opts.env },
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Start `fester` without waiting (for signal tests). */
export function festerSpawn(args: string[], opts: { cwd: string; cache: string; env?: Record<string, string> }): ResultPromise {
  return execa(process.execPath, [BIN, ...args], { cwd: opts.cwd, reject: false, env: { FESTER_CACHE_DIR: opts.cache, CI: '1', ...opts.env } });
}

/** Journal events of the newest session of a project folder. */
export async function lastJournal(projectDir: string) {
  const { readJournal, sessionJournalPath } = await import('@fester/core');
  return readJournal(sessionJournalPath(projectDir)).events;
}
