import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { BIN, festerSpawn, fixture, lastJournal } from '../../../../test/helpers.js';

describe('thermal safety on the embedded default (no farm)', () => {
  const f = fixture('hello');
  afterAll(() => f.cleanup());

  it('a build on a local node at 90 °C waits, says so, and runs once it has cooled', async () => {
    const zone = join(f.base, 'sys', 'class', 'thermal', 'thermal_zone0');
    mkdirSync(zone, { recursive: true });
    writeFileSync(join(zone, 'type'), 'cpu-thermal\n');
    writeFileSync(join(zone, 'temp'), '90000\n');
    // The user's thermal() replaces the default one: a generated sysfs root, polled often.
    writeFileSync(join(f.dir, 'festerconfig.mjs'), `import thermal from '@fester/plugin-thermal';\nexport default { plugins: [thermal({ sysfsRoot: ${JSON.stringify(join(f.base, 'sys'))}, pollMs: 200 })] };\n`);
    const build = festerSpawn(['build', '-j', '2'], { cwd: f.dir, cache: f.cache });
    let out = '';
    build.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    const end = Date.now() + 60_000;
    while (!out.includes('thermal: local')) {
      if (Date.now() > end) throw new Error(`no throttle line:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1000));
    expect(out).not.toMatch(/built {3}host\//);
    writeFileSync(join(zone, 'temp'), '60000\n');
    const r = await build;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(out).toContain('thermal: local at 90.0 °C (thermal_zone0:cpu-thermal) ≥ max 85 °C: no new work until below 80 °C');
    expect(out).toContain('thermal: local at 60.0 °C: takes new work again');
    expect(out).toMatch(/built: 8 actions — 8 run/);
    const events = await lastJournal(f.dir);
    const released = events.find((e) => e.type === 'node.unthrottled')!;
    const starts = events.filter((e) => e.type === 'action.started');
    expect(starts).toHaveLength(8);
    expect(Math.min(...starts.map((e) => e.seq))).toBeGreaterThan(released.seq);
  });

  it('on a terminal the dashboard shows the hot node, the waiting action and why, then the release', async () => {
    const zone = join(f.base, 'sys', 'class', 'thermal', 'thermal_zone0');
    writeFileSync(join(zone, 'temp'), '91000\n');
    rmSync(join(f.dir, 'build'), { recursive: true, force: true });
    // `script` gives the build a real pseudo-terminal; without CI in the environment, as a user's shell.
    const env: Record<string, string | undefined> = { ...process.env, FESTER_CACHE_DIR: join(f.base, 'cache-tty'), TERM: 'xterm-256color', COLUMNS: '160' };
    delete env.CI;
    const build = execa('script', ['-qec', `stty cols 160 rows 40; ${process.execPath} ${BIN} build -j 2`, '/dev/null'], { cwd: f.dir, reject: false, env, extendEnv: false });
    let out = '';
    build.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    const end = Date.now() + 60_000;
    while (!/waits for a node/.test(out)) {
      if (Date.now() > end) { build.kill(); throw new Error(`the dashboard never said what waits:\n${out}`); }
      await new Promise((r) => setTimeout(r, 100));
    }
    writeFileSync(join(zone, 'temp'), '60000\n');
    const r = await build;
    expect(r.exitCode).toBe(0);
    const text = out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(text).toMatch(/local\s+0 running\s+91\.0 °C\s+hot: no new work until < 80 °C/);
    expect(text).toMatch(/⏸ host\/\S+ (\(\+\d+ more\) )?waits for a node — local: thermal: 91\.0 °C \(thermal_zone0:cpu-thermal\) ≥ max 85 °C/);
    expect(text).toContain('thermal: local at 60.0 °C: takes new work again');
    expect(text).toContain('built: 8 actions');
  });
});
