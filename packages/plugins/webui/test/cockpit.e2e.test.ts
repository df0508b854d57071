import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { fester, REPO } from '../../../../test/helpers.js';
import { nodes, ready, startAgent, startCoordinator, stopAll, TOKEN, waitNodes, type CoordinatorProc } from '../../../../test/farm.js';
import { consoleErrors, launch, screenshot } from './browser.js';
import { startCockpitWs, type CockpitWs } from './cockpitWs.js';

/**
 * Acceptance of the Cockpit module: a real coordinator with a real agent, the module put in
 * place by `fester cockpit install`, served by Debian's cockpit-ws and its bridge, and shown
 * in Chromium: the node list comes from the coordinator through cockpit.http, and a policy
 * set in the page is signed with the farm token read through Cockpit (cockpit.file).
 */
describe('Cockpit module "Fester" in real cockpit-ws', () => {
  mkdirSync(join(REPO, '.test-tmp'), { recursive: true });
  const base = mkdtempSync(join(REPO, '.test-tmp', 'cockpit-'));
  const data = join(base, 'xdg');
  let coordinator: CoordinatorProc;
  let ws: CockpitWs;
  let browser: Browser;

  beforeAll(async () => {
    [coordinator, browser] = await Promise.all([startCoordinator(base), launch()]);
    startAgent(base, coordinator.url, 'n1');
    await waitNodes(coordinator.url, ready(['n1']));
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

  it('shows the coordinator\'s nodes and sets a policy from the page', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 700 } });
    const errors = consoleErrors(page);
    // The module's own URL on cockpit-ws: served only if the bridge found its manifest.
    const res = await page.goto(`${ws.url}/cockpit/@localhost/fester/index.html`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toMatch(/default-src 'self'/);
    const row = page.locator('#nodes tr[data-node="n1"]');
    await row.waitFor({ timeout: 15_000 });
    expect(await page.getAttribute('#status', 'data-kind')).toBe('ok');
    expect(await row.locator('td').nth(3).textContent()).toBe('ready');
    expect(await row.locator('td.policy').textContent()).toBe('neutral');
    expect(await page.textContent('#node-count')).toBe('1');
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
    await page.close();
    // The refused request is the page's own report, not a console error; nothing else may be.
    expect(errors).toEqual([]);
  });
});
