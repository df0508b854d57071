import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(REPO, 'packages/cli/dist/bin.js');

/** A fresh copy of a fixture in a temp folder, with its own cache dir: tests never share state. */
export function fixture(name: string): { dir: string; cache: string; cleanup(): void } {
  const base = mkdtempSync(join(tmpdir(), `fester-${name}-`));
  const dir = join(base, name);
  cpSync(join(REPO, 'fixtures', name), dir, { recursive: true, filter: (s) => !/\/(build|\.fester|node_modules)(\/|$)/.test(s.slice(REPO.length)) });
  const cache = join(base, 'cache');
  return { dir, cache, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

export interface FesterRun { exitCode: number; stdout: string; stderr: string }

/** Run the built `fester` binary; never throws on a non-zero exit. */
export async function fester(args: string[], opts: { cwd: string; cache: string; env?: Record<string, string> }): Promise<FesterRun> {
  const r = await execa('node', [BIN, ...args], {
    cwd: opts.cwd,
    reject: false,
    env: { FESTER_CACHE_DIR: opts.cache, CI: '1', ...opts.env },
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Start `fester` without waiting (for signal tests). */
export function festerSpawn(args: string[], opts: { cwd: string; cache: string; env?: Record<string, string> }): ResultPromise {
  return execa('node', [BIN, ...args], { cwd: opts.cwd, reject: false, env: { FESTER_CACHE_DIR: opts.cache, CI: '1', ...opts.env } });
}

/** Journal events of the newest session of a project folder. */
export async function lastJournal(projectDir: string) {
  const { readJournal, sessionJournalPath } = await import('@fester/core');
  return readJournal(sessionJournalPath(projectDir)).events;
}
