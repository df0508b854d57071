import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO } from '../../../../test/helpers.js';

/**
 * Debian's Chromium driven by playwright-core, for the web UI acceptance tests. The flags
 * are the ones that work on a closed network as root: no sandbox (root), and no background
 * connections to Google's hosts (refused here, which would fill the log with errors).
 */
export const CHROMIUM = process.env.FESTER_CHROMIUM ?? '/usr/bin/chromium';

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** Screenshots are kept after the run (in the git-ignored .test-tmp/) for a person to look at. */
export const SHOTS = join(REPO, '.test-tmp', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/**
 * Every console error and uncaught exception of a page, CSP violations included (Chromium
 * reports them as console errors). A stream the test closes by navigating away is not one.
 */
export function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`${page.url()}: uncaught ${e.message}`));
  return errors;
}

/** Legend counts by state, as the page shows them (`data-count` of each legend entry). */
export async function legend(page: Page): Promise<Record<string, number>> {
  return page.$$eval('.legend-item', (els) => Object.fromEntries(els.map((e) => [(e as HTMLElement).dataset.state!, Number((e as HTMLElement).dataset.count)])));
}

/** The RGB colour the DAG canvas shows at a CSS-pixel point of the page. */
export async function pixel(page: Page, x: number, y: number): Promise<string> {
  return page.evaluate(([px, py]) => {
    const c = document.querySelector('#dag canvas') as HTMLCanvasElement;
    const r = c.getBoundingClientRect();
    const dpr = c.width / r.width;
    const d = c.getContext('2d')!.getImageData(Math.round((px! - r.left) * dpr), Math.round((py! - r.top) * dpr), 1, 1).data;
    return `#${[d[0], d[1], d[2]].map((v) => v!.toString(16).padStart(2, '0')).join('')}`;
  }, [x, y]);
}

export interface Cell { x: number; y: number; w: number; h: number }

/** Where the DAG draws an action (its cell in page CSS pixels), as the page itself reports it. */
export async function cellOf(page: Page, action: string): Promise<Cell | undefined> {
  return page.evaluate((id) => (window as unknown as { fester: { cellOf(id: string): Cell | undefined } }).fester.cellOf(id), action);
}

/**
 * A point of the cell the label never covers (labels stop 4 px before the right edge), so its
 * pixel is the state's colour.
 */
export function swatchPoint(c: Cell): { x: number; y: number } {
  return { x: c.x + c.w - Math.min(2, c.w / 3), y: c.y + c.h / 2 };
}
