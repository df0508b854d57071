import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildCounts, latestJournal, readEvents } from './journal.mjs';
import { FESTER_BIN } from './paths.mjs';
import { run } from './proc.mjs';

/** Environment for a Fester run with its own cache dir. */
export function festerEnv(cacheDir) {
  return { ...process.env, FESTER_CACHE_DIR: cacheDir };
}

/**
 * `fester build <yaml> -j N` as a user would type it (a whole node process, start-up
 * included). Returns the wall time and what the journal says happened.
 */
export function festerBuild(yaml, { jobs, cacheDir, extraEnv = {} }) {
  const { seconds, cpu } = run(process.execPath, [FESTER_BIN, 'build', yaml, '-j', String(jobs)], {
    cwd: dirname(yaml),
    env: { ...festerEnv(cacheDir), ...extraEnv },
  });
  return { seconds, cpu, journal: latestJournal(dirname(yaml)) };
}

/** Read the counts of the newest build, and insist on what the case expects of it. */
export function expectCounts(journal, expect) {
  const events = readEvents(journal);
  const c = buildCounts(events);
  if (c.status !== 'success') throw new Error(`fester build ${c.status} (${journal})`);
  for (const [k, v] of Object.entries(expect)) {
    const want = v === 'total' ? c.total : v;
    if (c[k] !== want) throw new Error(`fester: expected ${k}=${want}, journal says ${JSON.stringify(c)} (${journal})`);
  }
  return { counts: c, events };
}

/**
 * Remove a project's old session journals. A no-op build of a big graph writes megabytes of
 * journal; kept between runs they would pile up in bench/.work (Fester does not read them).
 */
export function pruneSessions(projectDir) {
  rmSync(join(projectDir, '.fester', 'sessions'), { recursive: true, force: true });
}
