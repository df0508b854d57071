import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fester, fixture } from '../../../../test/helpers.js';

describe('fester simulate, trace generate, --mode', () => {
  const f = fixture('hello');
  const dir = mkdtempSync(join(f.base, 'sim-'));
  const run = (args: string[]) => fester(args, { cwd: dir, cache: f.cache });
  afterAll(() => f.cleanup());

  it('generates a trace and a farm, and simulates deterministically for a seed', async () => {
    expect((await run(['trace', 'generate', 'mixed', '--actions', '300', '--seed', '2', '--out', 'trace.json'])).exitCode).toBe(0);
    expect((await run(['trace', 'generate', 'farm', '--nodes', '10', '--out', 'farm.json'])).exitCode).toBe(0);
    const sim = async (mode: string, seed: number) => {
      const r = await run(['simulate', '--trace', 'trace.json', '--farm', 'farm.json', '--mode', mode, '--seed', String(seed), '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      const { timing, ...rest } = JSON.parse(r.stdout);
      expect(timing.decisions).toBeGreaterThan(0);
      return rest;
    };
    const a = await sim('thermal', 4);
    expect(a).toMatchObject({ mode: 'thermal', seed: 4, actions: JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8')).actions.length, nodes: 10, dispatchesAboveThreshold: 0 });
    expect(a.makespanMs).toBeGreaterThanOrEqual(a.lowerBoundMs);
    expect(await sim('thermal', 4)).toEqual(a);
    expect((await sim('thermal', 5)).makespanMs).not.toBe(a.makespanMs);
    const human = await run(['simulate', '--trace', 'trace.json', '--farm', 'farm.json', '--mode', 'fastest-free']);
    expect(human.stdout).toMatch(/^fastest-free on mixed-10 \(10 nodes\)/);
    expect(human.stdout).toMatch(/makespan .* lower bound .* ratio \d\.\d{3}/);
  });

  it('bad input: unknown mode (FE1001), malformed farm file at its line (FE1021), unknown generator (FE1023) — no stack traces', async () => {
    const build = await fester(['build', '--mode', 'fastest'], { cwd: f.dir, cache: f.cache });
    expect(build.exitCode).toBe(2);
    expect(build.stderr).toMatch(/^error FE1001: unknown scheduler mode "fastest"/);
    expect(build.stderr).not.toMatch(/\n\s+at /);
    writeFileSync(join(dir, 'bad-farm.json'), '{\n  "version": 1,\n  "nodes": [{ "id": "a", "arch": "x86_64", "slots": 0, "targets": ["host"] }]\n}\n');
    const farm = await run(['simulate', '--trace', 'trace.json', '--farm', 'bad-farm.json']);
    expect(farm.exitCode).toBe(2);
    expect(farm.stderr).toMatch(/^error FE1021 bad-farm\.json:3:\d+: nodes\.0\.slots: /);
    const gen = await run(['trace', 'generate', 'tall']);
    expect(gen.stderr).toMatch(/^error FE1023: unknown trace generator "tall"/);
    const sim = await run(['simulate', '--trace', 'trace.json', '--farm', 'farm.json', '--mode', 'fifo']);
    expect(sim.stderr).toMatch(/^error FE1001: unknown scheduler mode "fifo" \(--mode\)/);
  });
});
