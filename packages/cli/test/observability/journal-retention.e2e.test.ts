import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fester, fixture, lastJournal } from '../../../../test/helpers.js';

/**
 * `journal.keep` in festerconfig: a build's new session deletes the oldest journals beyond the
 * newest N, never one written to in the last hour (another process's live session), and lists
 * what it deleted in its own journal.
 */
describe('session journal retention', () => {
  const f = fixture('hello');
  afterAll(() => f.cleanup());
  const sessions = join(f.dir, '.fester/sessions');
  const build = () => fester(['build'], { cwd: f.dir, cache: f.cache });

  it('keeps the newest N journals and journals what went', async () => {
    writeFileSync(join(f.dir, 'festerconfig.ts'), "import { defineConfig } from '@fester/core';\nexport default defineConfig({ journal: { keep: 2 } });\n");
    for (let i = 0; i < 3; i++) expect((await build()).exitCode).toBe(0);
    const first = readdirSync(sessions).sort();
    // All three were written within the hour: none is old enough to go.
    expect(first).toHaveLength(3);
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    for (const n of first) utimesSync(join(sessions, n), twoHoursAgo, twoHoursAgo);
    expect((await build()).exitCode).toBe(0);
    const after = readdirSync(sessions).sort();
    expect(after).toHaveLength(2);
    expect(after[0]).toBe(first[2]);
    const pruned = (await lastJournal(f.dir)).filter((e) => e.type === 'journal.pruned');
    expect(pruned).toEqual([expect.objectContaining({ keep: 2, sessions: first.slice(0, 2).map((n) => n.slice(0, -6)), dir: sessions })]);
    // The session still opens with who wrote it: the API tells a live build from a crashed one by it.
    expect((await lastJournal(f.dir))[0]!.type).toBe('session.started');
  });

  it("keep: 'all' deletes nothing", async () => {
    writeFileSync(join(f.dir, 'festerconfig.ts'), "export default { journal: { keep: 'all' } };\n");
    const before = readdirSync(sessions).sort();
    const old = new Date(Date.now() - 2 * 3600_000);
    for (const n of before) utimesSync(join(sessions, n), old, old);
    expect((await build()).exitCode).toBe(0);
    expect(readdirSync(sessions)).toHaveLength(before.length + 1);
    for (const n of before) expect(existsSync(join(sessions, n))).toBe(true);
  });
});
