import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { fester, fixture, festerSpawn } from '../../../../test/helpers.js';
import { consoleErrors, launch, legend, screenshot } from './browser.js';

/**
 * The live page pinned to a session (`?session=`) on a server that is not the build's own:
 * `fester ui` follows the journal a separate `fester build` process is writing, and the page
 * takes the backlog from /api/replay and the rest from the SSE stream of that session.
 */
type Fester = { build?: { actions: { id: string; state: string }[] } };

describe('live_dag.html on fester ui, following another process\'s build', () => {
  const f = fixture('webui');
  let browser: Browser;
  let ui: ReturnType<typeof festerSpawn>;
  let url = '';

  beforeAll(async () => {
    browser = await launch();
    ui = festerSpawn(['ui', '--port', '0', f.dir], { cwd: f.dir, cache: f.cache });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      ui.stdout!.on('data', (d: Buffer) => { out += d.toString(); const m = /serving (http:\S+)/.exec(out); if (m) resolve(m[1]!); });
      void ui.then(() => reject(new Error(`fester ui exited:\n${out}`)));
    });
  });

  afterAll(async () => {
    await browser?.close();
    ui?.kill('SIGINT');
    await ui?.catch(() => undefined);
    f.cleanup();
  });

  it('shows the build as it runs and ends', async () => {
    const build = festerSpawn(['build', '-j', '2'], { cwd: f.dir, cache: f.cache });
    try {
      // The session appears on the server once the build process has written its first lines.
      let session = '';
      const end = Date.now() + 30_000;
      while (!session) {
        const { sessions } = (await (await fetch(`${url}/api/sessions`)).json()) as { sessions: { id: string }[] };
        session = sessions.at(-1)?.id ?? '';
        if (!session && Date.now() > end) throw new Error('the build\'s session never appeared');
        if (!session) await new Promise((r) => setTimeout(r, 100));
      }
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const errors = consoleErrors(page);
      await page.goto(`${url}/ui/live_dag.html?session=${session}`);
      const seen = new Map<string, Set<string>>();
      let firstDone = -1;
      for (const stop = Date.now() + 60_000; ;) {
        // Read the title first: a sample taken after it has seen the build end sees every action's end.
        const finished = await page.getAttribute('#title', 'data-status') === 'success';
        const states = await page.evaluate(() => (window as unknown as { fester: Fester }).fester.build?.actions.map((a) => [a.id, a.state] as const) ?? []);
        if (states.length && firstDone < 0) firstDone = states.filter(([, s]) => s === 'done').length;
        for (const [id, s] of states) seen.set(id, (seen.get(id) ?? new Set()).add(s));
        if (finished) break;
        if (Date.now() > stop) throw new Error(`never finished on the page: ${await page.textContent('#title')}`);
        await page.waitForTimeout(100);
      }
      // Opened mid-build, the page then saw the slow steps run and finish.
      const total = ((await (await fetch(`${url}/api/builds?session=${session}`)).json()) as { builds: { actions: number }[] }).builds[0]!.actions;
      expect(firstDone).toBeLessThan(total);
      for (const id of ['host/package', 'host/smoke-test']) expect([...seen.get(id)!]).toEqual(expect.arrayContaining(['running', 'done']));
      expect((await legend(page)).done).toBe(total);
      expect(await page.textContent('#status')).toBe('live');
      await screenshot(page, 'live-dag-follow-done');
      await page.close();
      expect(errors).toEqual([]);
    } finally {
      build.kill('SIGINT');
      await build.catch(() => undefined);
    }
  });

  it('without ?session= it moves on to a newer session when one appears', async () => {
    const newest = async () => ((await (await fetch(`${url}/api/builds?limit=1`)).json()) as { builds: { id: string; actions: number }[] }).builds[0]!;
    const before = await newest();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = consoleErrors(page);
    await page.goto(`${url}/ui/live_dag.html`);
    await expect.poll(() => page.getAttribute('body', 'data-build')).toBe(before.id);
    // Another build of the project: a new session, every action up to date.
    expect((await fester(['build', '-j', '2'], { cwd: f.dir, cache: f.cache })).exitCode).toBe(0);
    const after = await newest();
    expect(after.id).not.toBe(before.id);
    await expect.poll(() => page.getAttribute('body', 'data-build'), { timeout: 15_000 }).toBe(after.id);
    await expect.poll(async () => (await legend(page)).uptodate).toBe(after.actions);
    expect(await page.getAttribute('#title', 'data-status')).toBe('success');
    await screenshot(page, 'live-dag-next-session');
    await page.close();
    expect(errors).toEqual([]);
  });
});
