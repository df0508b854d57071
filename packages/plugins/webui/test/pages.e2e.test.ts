import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fester, fixture, festerSpawn } from '../../../../test/helpers.js';
import { cellOf, consoleErrors, launch, legend, pixel, screenshot, swatchPoint } from './browser.js';
import { countsAt, runningAt, type JournalEvent } from './timeline.js';

/**
 * Acceptance of the web UI on a real session: `fester build --serve-keep` of fixtures/webui
 * (raw steps sleep ~1 s, so actions are seen queued, running and done), live_dag.html in
 * Debian's Chromium while it runs, then replay.html over the finished session from the same
 * server. States shown by the page are checked against the journal read here.
 */
const COLORS = { running: '#3b82f6', done: '#22c55e', failed: '#ef4444' };
type Fester = { build?: { id: string; actions: { id: string; state: string }[] }; range: [number, number]; seek(ms: number): void };

describe('web UI pages on a real build', () => {
  const f = fixture('webui');
  let browser: Browser;
  let server: ReturnType<typeof festerSpawn>;
  let base = '';
  let session = '';
  let build = '';
  const errors: string[] = [];

  beforeAll(async () => {
    // The browser first: the page must be there while the build still runs.
    browser = await launch();
    server = festerSpawn(['build', '--serve-keep', '--port', '0', '-j', '2'], { cwd: f.dir, cache: f.cache });
    let out = '';
    [base, session] = await new Promise<[string, string]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no serving line:\n${out}`)), 30_000);
      // The serving line goes to stderr (stdout is the build's report).
      const read = (d: Buffer) => {
        out += d.toString();
        const m = /serving (http:\S+) \(session (\S+?);/.exec(out);
        if (m) { clearTimeout(timer); resolve([m[1]!, m[2]!]); }
      };
      server.stdout!.on('data', read);
      server.stderr!.on('data', read);
      void server.then(() => reject(new Error(`fester build exited:\n${out}${server.stderr}`)));
    });
  });

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGINT');
    await server?.catch(() => undefined);
    f.cleanup();
  });

  it('live_dag.html shows the build live: actions change state, a click tells the story', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors.push(...consoleErrors(page));
    await page.goto(`${base}/ui/live_dag.html`);
    const seen = new Map<string, string[]>();
    let first: string[] | undefined;
    let runningPixel: string | undefined;
    let shotWhileRunning = false;
    const end = Date.now() + 60_000;
    for (;;) {
      // The title first: a sample taken after it has seen the build end sees every action's end.
      const finished = await page.getAttribute('#title', 'data-status') === 'success';
      const states = await page.evaluate(() => (window as unknown as { fester: Fester }).fester.build?.actions.map((a) => [a.id, a.state] as const) ?? []);
      if (states.length && !first) first = states.map(([, s]) => s);
      for (const [id, s] of states) {
        const h = seen.get(id) ?? [];
        if (h.at(-1) !== s) seen.set(id, [...h, s]);
      }
      const running = states.find(([, s]) => s === 'running');
      if (running && !runningPixel) {
        // State and pixel read one frame apart at most; an action runs for ≥ 80 ms.
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        const cell = await cellOf(page, running[0]);
        const still = await page.evaluate((id) => (window as unknown as { fester: Fester }).fester.build!.actions.find((a) => a.id === id)!.state, running[0]);
        if (cell && still === 'running') runningPixel = await pixel(page, swatchPoint(cell).x, swatchPoint(cell).y);
        if (!shotWhileRunning) { await screenshot(page, 'live-dag-running'); shotWhileRunning = true; }
      }
      if (finished) break;
      if (Date.now() > end) throw new Error(`the build did not finish on the page: ${await page.textContent('#title')}`);
      await page.waitForTimeout(100);
    }
    // The page saw the build unfinished, and actions go through running to done on it.
    expect(first!.every((s) => s === 'done')).toBe(false);
    const throughRunning = [...seen].filter(([, h]) => h.includes('running') && h.at(-1) === 'done');
    expect(throughRunning.length).toBeGreaterThanOrEqual(3);
    expect(runningPixel).toBe(COLORS.running);

    const summary = (await (await fetch(`${base}/api/builds?session=${session}`)).json()) as { builds: { id: string; actions: number; counts: Record<string, number> }[] };
    build = summary.builds[0]!.id;
    const counts = await legend(page);
    expect(counts.done).toBe(summary.builds[0]!.counts.built);
    expect(counts.done).toBe(summary.builds[0]!.actions);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const c1 = 'host/obj/core/core/c1.c.o';
    const cell = (await cellOf(page, c1))!;
    expect(await pixel(page, swatchPoint(cell).x, swatchPoint(cell).y)).toBe(COLORS.done);
    await screenshot(page, 'live-dag-done');

    // A click on the action: its decision, log and cache story.
    await page.mouse.click(cell.x + cell.w / 2, cell.y + cell.h / 2);
    await expect.poll(() => page.textContent('#details .action-id')).toBe(c1);
    expect(await page.textContent('[data-section="decision"]')).toMatch(/local/);
    expect(await page.textContent('[data-section="cache"]')).toMatch(/miss: no previous/);
    const log = await page.textContent('[data-section="log"]');
    expect(log).toMatch(/\$ .*-c core\/c1\.c/);
    expect(log).toMatch(/exit 0 \(success\)/);
    await screenshot(page, 'live-dag-details');
    await page.close();
    expect(errors).toEqual([]);
  });

  it('replay.html scrubs the finished session: state and node lanes at t follow the journal', async () => {
    expect(build).not.toBe('');
    const { events } = (await (await fetch(`${base}/api/replay/${session}`)).json()) as { events: JournalEvent[] };
    const total = ((await (await fetch(`${base}/api/builds/${build}`)).json()) as { actions: number }).actions;
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors.push(...consoleErrors(page));
    await page.goto(`${base}/ui/replay.html?session=${session}`);
    await page.waitForSelector('body[data-ready="1"]');
    const range = await page.evaluate(() => (window as unknown as { fester: Fester }).fester.range);
    expect(range[0]).toBe(events[0]!.ts);

    // The scrubber, moved with the mouse: early on little is done, at the end everything.
    const box = (await page.locator('#scrub').boundingBox())!;
    const dragTo = async (frac: number) => {
      await page.mouse.click(box.x + 8 + (box.width - 16) * frac, box.y + box.height / 2);
      return Number(await page.getAttribute('body', 'data-t'));
    };
    const early = await dragTo(0.02);
    const earlyCounts = await legend(page);
    expect(earlyCounts).toEqual(countsAt(events, build, total, range[0] + early));
    const late = await dragTo(0.98);
    expect(late).toBeGreaterThan(early);
    expect((await legend(page)).done).toBeGreaterThan(earlyCounts.done);
    await dragTo(1);
    expect((await legend(page)).done).toBe(total);

    // Exact moments: while `host/package` runs, and just before and after it.
    const started = events.find((e) => e.type === 'action.started' && e.action === 'host/package')!;
    const finished = events.find((e) => e.type === 'action.finished' && e.action === 'host/package')!;
    for (const t of [range[0], started.ts - 1, (started.ts + finished.ts) / 2, finished.ts, range[1]]) {
      await page.evaluate((ms) => (window as unknown as { fester: Fester }).fester.seek(ms), t - range[0]);
      expect(await legend(page), `counts at +${t - range[0]} ms`).toEqual(countsAt(events, build, total, t));
      const lanes = await page.$$eval('#at-t li', (lis) => lis.map((li) => [li.getAttribute('data-node'), li.textContent]));
      for (const [node, running] of runningAt(events, build, t)) {
        const text = lanes.find(([n]) => n === node)?.[1] ?? '';
        for (const a of running) expect(text).toContain(a);
      }
      if (t === (started.ts + finished.ts) / 2) {
        expect(lanes.find(([n]) => n === 'local')?.[1]).toContain('host/package');
        await screenshot(page, 'replay-mid-package');
      }
    }

    // Play from the start, then pause: time moves, then stops.
    await page.evaluate(() => (window as unknown as { fester: Fester }).fester.seek(0));
    await page.click('#play');
    await page.waitForTimeout(600);
    const t1 = Number(await page.getAttribute('body', 'data-t'));
    expect(t1).toBeGreaterThan(0);
    await page.click('#play');
    const paused = Number(await page.getAttribute('body', 'data-t'));
    await page.waitForTimeout(400);
    expect(Number(await page.getAttribute('body', 'data-t'))).toBe(paused);
    expect(paused).toBeGreaterThanOrEqual(t1);
    await screenshot(page, 'replay-paused');
    await page.close();
    expect(errors).toEqual([]);
  });

  it('a broken build, browsed with fester ui: the failed action, its stderr, changed input and explanation; a torn journal replays', async () => {
    server.kill('SIGINT');
    await server.catch(() => undefined);
    appendFileSync(join(f.dir, 'core', 'c2.c'), 'int broken(void) { return }\n');
    const r = await fester(['build', '-j', '2'], { cwd: f.dir, cache: f.cache });
    expect(r.exitCode).not.toBe(0);
    // The green session's journal ends in a torn line, as after a crash mid-write.
    appendFileSync(join(f.dir, '.fester', 'sessions', `${session}.jsonl`), `{"seq":9999,"ts":${Date.now()},"session":"${session}","type":"act`);
    const ui = festerSpawn(['ui', '--port', '0', f.dir], { cwd: f.dir, cache: f.cache });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        ui.stdout!.on('data', (d: Buffer) => { out += d.toString(); const m = /serving (http:\S+)/.exec(out); if (m) resolve(m[1]!); });
        void ui.then(() => reject(new Error(`fester ui exited:\n${out}`)));
      });
      const failed = ((await (await fetch(`${url}/api/builds?status=failed`)).json()) as { builds: { session: string }[] }).builds[0]!;
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      errors.push(...consoleErrors(page));
      await page.goto(`${url}/ui/live_dag.html?session=${failed.session}`);
      await expect.poll(() => page.getAttribute('#title', 'data-status')).toBe('failed');
      const counts = await legend(page);
      expect(counts.failed).toBe(1);
      expect(counts.skipped).toBeGreaterThanOrEqual(3);
      const c2 = 'host/obj/core/core/c2.c.o';
      await page.evaluate(() => new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res))));
      const cell = (await cellOf(page, c2))!;
      expect(await pixel(page, swatchPoint(cell).x, swatchPoint(cell).y)).toBe(COLORS.failed);
      await page.mouse.click(cell.x + cell.w / 2, cell.y + cell.h / 2);
      await expect.poll(() => page.textContent('#details .action-id')).toBe(c2);
      expect(await page.textContent('[data-section="log"] pre.stderr')).toMatch(/c2\.c:\d+:\d+: error/);
      expect(await page.textContent('[data-section="log"]')).toMatch(/exit 1 \(failed\)/);
      expect(await page.textContent('[data-section="cache"]')).toMatch(/miss: inputs changed/);
      expect(await page.textContent('[data-section="cache"] .changed')).toContain('core/c2.c');
      // The full story from /api/explain, fetched when the reader opens it.
      await page.click('[data-section="decision"] details.explain summary');
      await expect.poll(() => page.textContent('[data-section="decision"] details.explain pre')).toMatch(/"outcome": "failed"/);
      await screenshot(page, 'live-dag-failed');

      // The torn session still replays, up to the tear, and the page says it is torn.
      await page.goto(`${url}/ui/replay.html?session=${session}`);
      await page.waitForSelector('body[data-ready="1"]');
      expect(await page.textContent('#status')).toMatch(/journal torn: replayed up to the tear/);
      const green = ((await (await fetch(`${url}/api/builds/${build}`)).json()) as { actions: number }).actions;
      expect((await legend(page)).done).toBe(green);
      await page.close();
      expect(errors).toEqual([]);
    } finally {
      ui.kill('SIGINT');
      await ui.catch(() => undefined);
    }
  });
});
