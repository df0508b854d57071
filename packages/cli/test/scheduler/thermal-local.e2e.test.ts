import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { festerSpawn, fixture, lastJournal } from '../../../../test/helpers.js';

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
});
