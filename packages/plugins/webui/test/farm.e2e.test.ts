import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { fester, festerSpawn, fixture, REPO } from '../../../../test/helpers.js';
import { nodes, ready, startAgent, startCoordinator, stopAll, TOKEN, waitNodes, type CoordinatorProc } from '../../../../test/farm.js';
import { cellOf, consoleErrors, launch, screenshot } from './browser.js';
import { startCockpitWs, type CockpitWs } from './cockpitWs.js';

/**
 * The web UI with a real farm: a `fester coordinator` and two `fester agent`s. A farm build
 * (`fester build --farm --serve-keep`) shows its placement decisions in the live DAG; then
 * the Cockpit module, put in place by `fester cockpit install`, served by Debian's cockpit-ws
 * and its bridge, shows the node list from the coordinator through cockpit.http, and sets a
 * policy signed with the farm token read through Cockpit (cockpit.file).
 */
describe('web UI with a real farm', () => {
  mkdirSync(join(REPO, '.test-tmp'), { recursive: true });
  const base = mkdtempSync(join(REPO, '.test-tmp', 'cockpit-'));
  const data = join(base, 'xdg');
  let coordinator: CoordinatorProc;
  let ws: CockpitWs;
  let browser: Browser;
  /** The farm build of the first test, which the Cockpit page shows by its leases. */
  let farmBuildId = '';
  let farmLeases = 0;

  beforeAll(async () => {
    [coordinator, browser] = await Promise.all([startCoordinator(base), launch()]);
    startAgent(base, coordinator.url, 'n1');
    startAgent(base, coordinator.url, 'n2');
    await waitNodes(coordinator.url, ready(['n1', 'n2']));
    const tokenFile = join(base, 'farm-token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const r = await fester(['cockpit', 'install', '--dest', join(data, 'cockpit', 'fester'), '--coordinator', coordinator.url, '--token-file', tokenFile], { cwd: base, cache: join(base, 'cache') });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(data, 'cockpit', 'fester', 'config.json'), 'utf8'))).toEqual({ coordinator: coordinator.url, tokenFile });
    ws = await startCockpitWs(data);
  });

  afterAll(async () => {
    await browser?.close();
    await ws?.stop();
    await stopAll();
    rmSync(base, { recursive: true, force: true });
  });

  it('live_dag.html of a farm build shows where each action went and why', async () => {
    const f = fixture('webui');
    const build = festerSpawn(['build', '--farm', coordinator.url, '--serve-keep', '--port', '0', '-j', '4'], { cwd: f.dir, cache: f.cache, env: { FESTER_FARM_TOKEN: TOKEN } });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        const read = (d: Buffer) => { out += d.toString(); const m = /serving (http:\S+)/.exec(out); if (m) resolve(m[1]!); };
        build.stdout!.on('data', read);
        build.stderr!.on('data', read);
        void build.then(() => reject(new Error(`fester build exited:\n${out}`)));
      });
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const errors = consoleErrors(page);
      await page.goto(`${url}/ui/live_dag.html`);
      await expect.poll(() => page.getAttribute('#title', 'data-status'), { timeout: 90_000, interval: 250 }).toBe('success');
      const action = 'host/obj/core/core/c1.c.o';
      const summary = (await (await fetch(`${url}/api/builds`)).json()) as { builds: { id: string }[] };
      const detail = (await (await fetch(`${url}/api/builds/${summary.builds[0]!.id}`)).json()) as { actionList: { id: string; node?: string }[] };
      const ranOn = detail.actionList.find((a) => a.id === action)!.node!;
      farmBuildId = summary.builds[0]!.id;
      farmLeases = detail.actionList.filter((a) => a.node).length;
      expect(['n1', 'n2']).toContain(ranOn);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const cell = (await cellOf(page, action))!;
      await page.mouse.click(cell.x + cell.w / 2, cell.y + cell.h / 2);
      await expect.poll(() => page.textContent('#details .action-id')).toBe(action);
      const decision = page.locator('[data-section="decision"]');
      expect(await decision.locator('p').first().textContent()).toMatch(new RegExp(`placed on ${ranOn} by the \\w+ mode`));
      expect((await decision.locator('tr[data-node]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-node')))).sort()).toEqual(['n1', 'n2']);
      expect(await decision.locator('tr.chosen').getAttribute('data-node')).toBe(ranOn);
      // The other node's row says why it lost (a factor or the seeded tie-break).
      const other = ranOn === 'n1' ? 'n2' : 'n1';
      expect((await decision.locator(`tr[data-node="${other}"] td`).nth(2).textContent())!.length).toBeGreaterThan(0);
      await screenshot(page, 'live-dag-farm-decision');
      await page.close();
      expect(errors).toEqual([]);
    } finally {
      build.kill('SIGINT');
      await build.catch(() => undefined);
      f.cleanup();
    }
  });

  it('the Cockpit module shows the coordinator\'s nodes and sets a policy from the page', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 700 } });
    const errors = consoleErrors(page);
    // The bridge found the package: it is in the manifests the shell builds its menu from.
    const manifests = (await (await fetch(`${ws.url}/cockpit/@localhost/manifests.json`)).json()) as Record<string, { menu?: { index?: { label?: string } } }>;
    expect(manifests.fester?.menu?.index?.label).toBe('Fester');
    // The module's own URL on cockpit-ws (what cockpit-desktop opens).
    const res = await page.goto(`${ws.url}/cockpit/@localhost/fester/index.html`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toMatch(/default-src 'self'/);
    const row = page.locator('#nodes tr[data-node="n1"]');
    await row.waitFor({ timeout: 15_000 });
    expect(await page.getAttribute('#status', 'data-kind')).toBe('ok');
    expect(await row.locator('td').nth(3).textContent()).toBe('ready');
    expect(await row.locator('td.policy').textContent()).toBe('neutral');
    expect(await page.textContent('#node-count')).toBe('2');
    // The farm build of the test before (journaled by its own process) shows by its leases.
    const farmBuild = page.locator(`#farm-builds li[data-build="${farmBuildId}"]`);
    await farmBuild.waitFor({ timeout: 10_000 });
    expect(await farmBuild.textContent()).toMatch(new RegExp(`${farmLeases} leases on (n1, n2|n1|n2) `));
    // The coordinator keeps a copy of the farm build's journal: it is among its recorded builds too.
    const recorded = page.locator(`#builds li[data-build="${farmBuildId}"]`);
    await recorded.waitFor({ timeout: 10_000 });
    expect(await recorded.textContent()).toContain('success');
    await screenshot(page, 'cockpit-nodes');

    // Set "drain": signed with the token from the token file, read through the bridge.
    await row.locator('select').selectOption('drain');
    await row.locator('button').click();
    await expect.poll(async () => (await nodes(coordinator.url)).find((n) => n.id === 'n1')?.policy, { timeout: 10_000 }).toBe('drain');
    await expect.poll(() => row.locator('td.policy').textContent()).toBe('drain');
    expect(await page.textContent('#notice')).toBe('n1: policy drain');
    await screenshot(page, 'cockpit-drained');

    // A wrong token typed in the page is refused by the coordinator, and the page says so.
    await page.fill('#token', 'not-the-farm-token');
    await row.locator('select').selectOption('preferred');
    await row.locator('button').click();
    await expect.poll(() => page.getAttribute('#notice', 'data-kind')).toBe('error');
    expect(await page.textContent('#notice')).toMatch(/cannot set the policy of n1: 401/);
    expect((await nodes(coordinator.url)).find((n) => n.id === 'n1')?.policy).toBe('drain');

    // Links to the coordinator's own pages.
    expect(await page.getAttribute('#live-link', 'href')).toBe(`${coordinator.url}/ui/live_dag.html`);

    // A coordinator with --private-read refuses unsigned reads; the module signs its reads
    // with the token file, so it still shows that farm (no nodes yet) once its URL is given.
    const closed = await startCoordinator(join(base, 'private'), { host: '127.0.0.12', args: ['--private-read'] });
    expect((await fetch(`${closed.url}/api/nodes`)).status).toBe(401);
    await page.fill('#token', '');
    await page.fill('#coordinator', closed.url);
    await page.click('#settings button[type="submit"]');
    await expect.poll(() => page.textContent('#status')).toBe(`connected to ${closed.url}`);
    await expect.poll(() => page.textContent('#nodes')).toBe('no nodes registered');
    await page.close();
    // The refused request is the page's own report, not a console error; nothing else may be.
    expect(errors).toEqual([]);
  });
});
