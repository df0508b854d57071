import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pruneSessions } from '../../src/index.js';
import { serveSessionDir } from './serveRoutes.js';
import { SyntheticSession } from './syntheticJournal.js';

/** A session whose journal retention deleted leaves the API with it: no build that cannot be read. */
describe('HTTP API after journal retention', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'fester-api-pruned-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('forgets the builds of a pruned session and keeps the others', async () => {
    const dir = join(tmp, '.fester', 'sessions');
    const old = new SyntheticSession(dir, '20261125T100000000Z-aaaaaa', Date.UTC(2026, 10, 25, 10));
    const kept = new SyntheticSession(dir, '20261125T110000000Z-bbbbbb', Date.UTC(2026, 10, 25, 11));
    for (const s of [old, kept]) { s.startBuild('demo', 1); s.run('host/a.c.o'); s.finish('success'); }
    const served = await serveSessionDir(dir, tmp);
    try {
      const builds = async () => ((await (await fetch(`${served.base}/api/builds`)).json()) as { builds: { id: string }[] }).builds.map((b) => b.id);
      expect(await builds()).toEqual([`${kept.session}.1`, `${old.session}.1`]);
      // Written "two hours after" its last event, as a build an hour later would judge it.
      expect(pruneSessions(dir, 1, () => false, Date.now() + 2 * 3600_000)).toEqual([old.session]);
      expect(await builds()).toEqual([`${kept.session}.1`]);
      expect((await fetch(`${served.base}/api/builds/${old.session}.1`)).status).toBe(404);
    } finally {
      await served.close();
    }
  });
});
