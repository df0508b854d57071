import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultCockpitDest, installCockpit } from '../src/cockpit.js';

/**
 * `fester cockpit install` (installCockpit): the built module copied where Cockpit looks,
 * its config.json kept across re-installs, and the coded errors. The browser side is in
 * farm.e2e.test.ts.
 */
describe('installCockpit', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'fester-cockpit-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('copies the built module (no inline script) and writes config.json', () => {
    const dest = join(tmp, 'a', 'cockpit', 'fester');
    const r = installCockpit({ dest, coordinator: 'http://farm.lan:7420/', tokenFile: 'rel/token' });
    expect(r.dest).toBe(dest);
    expect(readdirSync(dest).sort()).toEqual(expect.arrayContaining(['config.json', 'fester.css', 'fester.js', 'index.html', 'manifest.json']));
    const manifest = JSON.parse(readFileSync(join(dest, 'manifest.json'), 'utf8')) as { menu: { index: { label: string } } };
    expect(manifest.menu.index.label).toBe('Fester');
    // Cockpit's CSP runs no inline script: every <script> has a src.
    const html = readFileSync(join(dest, 'index.html'), 'utf8');
    expect(html.match(/<script\b[^>]*>/g)!.every((tag) => /\bsrc=/.test(tag))).toBe(true);
    expect(JSON.parse(readFileSync(join(dest, 'config.json'), 'utf8'))).toEqual({ coordinator: 'http://farm.lan:7420', tokenFile: join(process.cwd(), 'rel/token') });
  });

  it('a re-install keeps the settings it is not given', () => {
    const dest = join(tmp, 'b');
    installCockpit({ dest, coordinator: 'http://one:7420', tokenFile: '/etc/fester/token' });
    installCockpit({ dest, coordinator: 'https://two:7420' });
    expect(JSON.parse(readFileSync(join(dest, 'config.json'), 'utf8'))).toEqual({ coordinator: 'https://two:7420', tokenFile: '/etc/fester/token' });
  });

  it('refuses what is not a coordinator URL (FE1120) and a folder it cannot write (FE1121)', () => {
    for (const bad of ['farm.lan:7420', 'ftp://farm', 'http://']) {
      expect(() => installCockpit({ dest: join(tmp, 'c'), coordinator: bad })).toThrow(expect.objectContaining({ code: 'FE1120' }));
    }
    const file = join(tmp, 'not-a-dir');
    writeFileSync(file, 'x');
    expect(() => installCockpit({ dest: join(file, 'fester') })).toThrow(expect.objectContaining({ code: 'FE1121' }));
    if (process.getuid?.() !== 0) {
      const ro = join(tmp, 'ro');
      mkdirSync(ro);
      chmodSync(ro, 0o500);
      expect(() => installCockpit({ dest: join(ro, 'fester') })).toThrow(expect.objectContaining({ code: 'FE1121' }));
    }
  });

  it('defaults to the system folder for root and the XDG data folder otherwise', () => {
    expect(defaultCockpitDest(0, {})).toBe('/usr/share/cockpit/fester');
    expect(defaultCockpitDest(1000, { XDG_DATA_HOME: '/home/u/.data' })).toBe('/home/u/.data/cockpit/fester');
    expect(defaultCockpitDest(1000, {})).toMatch(/\/\.local\/share\/cockpit\/fester$/);
  });
});
