import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fester, fixture, lastJournal } from '../../../test/helpers.js';

type Ev = { type: string; [k: string]: unknown };

describe('qcow2 VM node: a failed rollback test blocks production placement', () => {
  const fx = fixture('hello');
  const img = join(fx.base, 'vm1.qcow2');
  const run = (args: string[]) => fester(args, { cwd: fx.dir, cache: fx.cache });
  afterAll(() => fx.cleanup());

  beforeAll(async () => {
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', img, '32M']);
    await execa('qemu-io', ['-c', 'write -P 0x5a 0 1M', img]);
    writeFileSync(join(fx.dir, 'festerconfig.mjs'), `import qcow2 from '@fester/plugin-qcow2';
export default { plugins: [qcow2({ nodes: [{ id: 'vm1', image: ${JSON.stringify(img)}, arch: 'x64', slots: 2, maxRollbackTestAgeHours: 12 }] })] };\n`);
  });

  it('snapshot + passing rollback test through the CLI, then rot makes it fail', async () => {
    expect((await run(['snapshot', 'create', '--vm', 'vm1', 'base'])).exitCode).toBe(0);
    expect(JSON.parse((await run(['snapshot', 'list', '--vm', 'vm1', '--json'])).stdout).map((s: { name: string }) => s.name)).toEqual(['base']);
    const ok = await run(['snapshot', 'verify', '--vm', 'vm1']);
    expect(ok.exitCode, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/rollback test of base on vm1: ok/);
    const map = JSON.parse((await execa('qemu-img', ['map', '--output=json', img])).stdout) as { data: boolean; offset?: number }[];
    const fd = openSync(img, 'r+');
    writeSync(fd, Buffer.from([0x00]), 0, 1, map.find((m) => m.data)!.offset! + 7);
    closeSync(fd);
    const bad = await run(['snapshot', 'verify', '--vm', 'vm1']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toMatch(/FAILED: content of snapshot "base" changed/);
  });

  it('a production build filters vm1 with the coded reason; local runs every action', async () => {
    const r = await run(['build', '--production', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const evs = (await lastJournal(fx.dir)) as Ev[];
    expect((evs.find((e) => e.type === 'build.started')!.nodes as string[])).toEqual(['local', 'vm1']);
    const decisions = evs.filter((e) => e.type === 'action.scheduled');
    const started = evs.filter((e) => e.type === 'action.started');
    expect(decisions.length).toBe(started.length);
    expect(started.length).toBeGreaterThan(0);
    for (const d of decisions) {
      expect(d.node).toBe('local');
      const vm = (d.candidates as { node: string; filtered?: string }[]).find((c) => c.node === 'vm1')!;
      expect(vm.filtered).toMatch(/^FE0908 qcow2 rollback test failed \d{4}-\d\d-\d\dT[\d:.]+Z: content of snapshot "base" changed/);
    }
    for (const s of started) expect(s.node).toBe('local');
  });

  it('a non-production build does not apply the rule', async () => {
    writeFileSync(join(fx.dir, 'VERSION'), '2.0.0\n');
    expect((await run(['build'])).exitCode).toBe(0);
    const evs = (await lastJournal(fx.dir)) as Ev[];
    const d = evs.find((e) => e.type === 'action.scheduled')!;
    expect((d.candidates as { node: string; filtered?: string }[]).every((c) => !c.filtered)).toBe(true);
  });

  it('an unknown VM node is FE0910 without a stack', async () => {
    const r = await run(['snapshot', 'list', '--vm', 'vm9']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/error FE0910: no VM node "vm9" \(configured: vm1\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
