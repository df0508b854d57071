import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { festerSpawn, REPO } from '../../../../test/helpers.js';
import { writeBigSession, type BigSession } from './bigSession.js';
import { consoleErrors, launch, legend, screenshot } from './browser.js';
import { countsAt } from './timeline.js';

/**
 * "Usable with 10k actions": a recorded 10k-action, 4-node session served by `fester ui`,
 * opened in Chromium. Both pages draw it on canvases (the DOM stays small), load within a
 * bound, and seeking (forward, and back, which rewinds and re-applies) redraws quickly with
 * the state at t equal to the journal's. Bounds are loose: the machine is shared.
 */
type Fester = { range: [number, number]; seek(ms: number): void; build?: { actions: unknown[] } };
const frame = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

describe('web UI with a 10k-action session', () => {
  mkdirSync(join(REPO, '.test-tmp'), { recursive: true });
  const base = mkdtempSync(join(REPO, '.test-tmp', 'webui-big-'));
  let big: BigSession;
  let server: ReturnType<typeof festerSpawn>;
  let url = '';
  let browser: Browser;

  beforeAll(async () => {
    big = writeBigSession(join(base, 'sessions'));
    browser = await launch();
    server = festerSpawn(['ui', '--port', '0', join(base, 'sessions')], { cwd: base, cache: join(base, 'cache') });
    let out = '';
    url = await new Promise<string>((resolve, reject) => {
      const read = (d: Buffer) => { out += d.toString(); const m = /serving (http:\S+)/.exec(out); if (m) resolve(m[1]!); };
      server.stdout!.on('data', read);
      server.stderr!.on('data', read);
      void server.then(() => reject(new Error(`fester ui exited:\n${out}`)));
    });
  });

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGINT');
    await server?.catch(() => undefined);
    rmSync(base, { recursive: true, force: true });
  });

  it('replay.html loads, scrubs and rewinds 10k actions on a canvas', async () => {
    expect(big.actions).toBeGreaterThanOrEqual(10_000);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = consoleErrors(page);
    let t = performance.now();
    await page.goto(`${url}/ui/replay.html?session=${big.session}`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
    await frame(page);
    const loadMs = performance.now() - t;
    console.log(`10k replay: ready and drawn in ${loadMs.toFixed(0)} ms (${big.events.length} events)`);
    expect(loadMs).toBeLessThan(30_000);
    expect(await page.evaluate(() => document.getElementsByTagName('*').length)).toBeLessThan(1000);

    const range = await page.evaluate(() => (window as unknown as { fester: Fester }).fester.range);
    for (const frac of [0.5, 0.2, 0.8]) {
      const at = range[0] + Math.round((range[1] - range[0]) * frac);
      t = performance.now();
      await page.evaluate((ms) => (window as unknown as { fester: Fester }).fester.seek(ms), at - range[0]);
      await frame(page);
      const seekMs = performance.now() - t;
      console.log(`10k replay: seek to ${frac} drawn in ${seekMs.toFixed(0)} ms`);
      expect(seekMs).toBeLessThan(2000);
      expect(await legend(page)).toEqual(countsAt(big.events, big.build, big.actions, at));
    }
    // Mid-build something runs on every node.
    const lanes = await page.$$eval('#at-t li', (lis) => lis.map((li) => li.textContent ?? ''));
    expect(lanes).toHaveLength(4);
    expect(lanes.every((l) => !l.endsWith('idle'))).toBe(true);

    await screenshot(page, 'replay-10k');
    // Zooming in with the wheel redraws without a stall.
    const dag = (await page.locator('#dag').boundingBox())!;
    await page.mouse.move(dag.x + dag.width / 2, dag.y + dag.height / 2);
    t = performance.now();
    for (let k = 0; k < 5; k++) await page.mouse.wheel(0, -300);
    await frame(page);
    expect(performance.now() - t).toBeLessThan(3000);
    await screenshot(page, 'replay-10k-zoomed');
    await page.close();
    expect(errors).toEqual([]);
  });

  it('/ui/ links both pages; replay.html without a session lists the sessions to pick', async () => {
    const page = await browser.newPage();
    const errors = consoleErrors(page);
    await page.goto(`${url}/ui/`);
    expect(await page.$$eval('a', (as) => as.map((a) => a.getAttribute('href')))).toEqual(expect.arrayContaining(['live_dag.html', 'replay.html']));
    await Promise.all([page.waitForURL(/\/ui\/replay\.html$/), page.click('a[href="replay.html"]')]);
    await page.waitForSelector('body[data-ready="1"]');
    await Promise.all([page.waitForURL(new RegExp(`session=${big.session}$`)), page.click(`#details a[href="replay.html?session=${big.session}"]`)]);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
    expect((await legend(page)).done).toBe(big.actions);
    await page.close();
    expect(errors).toEqual([]);
  });

  it('live_dag.html shows the 10k-action build of a session', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = consoleErrors(page);
    const t = performance.now();
    await page.goto(`${url}/ui/live_dag.html?session=${big.session}`);
    await expect.poll(async () => (await legend(page)).done, { timeout: 60_000 }).toBe(big.actions);
    await frame(page);
    console.log(`10k live DAG: drawn in ${(performance.now() - t).toFixed(0)} ms`);
    expect(performance.now() - t).toBeLessThan(30_000);
    expect(await page.evaluate(() => document.getElementsByTagName('*').length)).toBeLessThan(1000);
    // Finding one action among 10k selects it and shows its story.
    await page.fill('#search', 'lib7/src/f123.c.o');
    await page.press('#search', 'Enter');
    await expect.poll(() => page.textContent('#details .action-id')).toBe('host/obj/lib7/src/f123.c.o');
    await screenshot(page, 'live-dag-10k');
    await page.close();
    expect(errors).toEqual([]);
  });
});
