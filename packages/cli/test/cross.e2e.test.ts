import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readElfHeader } from '@fester/plugin-elf';
import { fester, fixture, lastJournal } from '../../../test/helpers.js';

const EXPECTED = (arch: string) => `portable ${arch} 64-bit fletcher32=75fb0992`;
const started = (evs: Awaited<ReturnType<typeof lastJournal>>) => evs.filter((e) => e.type === 'action.started').map((e) => (e as { action: string }).action);

describe('portable fixture: one build for every target', () => {
  const fx = fixture('portable');
  const out = (t: string, f: string) => join(fx.dir, 'build', t, f);
  beforeAll(async () => {
    const r = await fester(['build'], { cwd: fx.dir, cache: fx.cache });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });
  afterAll(() => fx.cleanup());

  it('validated each toolchain with a probe before building, and journaled it', async () => {
    const evs = await lastJournal(fx.dir);
    const v = evs.filter((e) => e.type === 'toolchain.validated') as { target: string; ok: boolean }[];
    expect(v.map((e) => e.target).sort()).toEqual(['aarch64-linux-gnu', 'arm-none-eabi', 'riscv64-linux-gnu', 'x86_64-linux-gnu']);
    expect(v.every((e) => e.ok)).toBe(true);
    const firstAction = evs.findIndex((e) => e.type === 'action.started');
    expect(evs.findLastIndex((e) => e.type === 'toolchain.validated')).toBeLessThan(firstAction);
  });

  it('x86_64 runs natively; aarch64 and riscv64 run under qemu-user and print the expected line', async () => {
    expect((await execa(out('x86_64-linux-gnu', 'portable'))).stdout).toBe(EXPECTED('x86_64'));
    expect((await execa('qemu-aarch64', ['-L', '/usr/aarch64-linux-gnu', out('aarch64-linux-gnu', 'portable')])).stdout).toBe(EXPECTED('aarch64'));
    expect((await execa('qemu-riscv64', ['-L', '/usr/riscv64-linux-gnu', out('riscv64-linux-gnu', 'portable')])).stdout).toBe(EXPECTED('riscv64'));
  });

  it('every executable has its target’s e_machine; the Cortex-M .elf is EABI5 with a Thumb entry', () => {
    const h = (t: string, f: string) => readElfHeader(readFileSync(out(t, f)))!;
    expect(h('x86_64-linux-gnu', 'portable').machine).toBe(62);
    expect(h('aarch64-linux-gnu', 'portable').machine).toBe(183);
    expect(h('riscv64-linux-gnu', 'portable').machine).toBe(243);
    const arm = h('arm-none-eabi', 'portable.elf');
    expect(arm).toMatchObject({ machine: 40, bits: 32 });
    expect(arm.flags >>> 24).toBe(5);
    expect(arm.entry & 1n).toBe(1n);
  });
});

describe('embedded fixture: vector table, startup, linker script', () => {
  const fx = fixture('embedded');
  afterAll(() => fx.cleanup());

  it('produces a Cortex-M .elf and a .bin whose vector table holds the stack top and the Thumb reset handler', async () => {
    const r = await fester(['build'], { cwd: fx.dir, cache: fx.cache });
    expect(r.exitCode).toBe(0);
    const elf = readElfHeader(readFileSync(join(fx.dir, 'build/arm-none-eabi/firmware.elf')))!;
    expect(elf.machine).toBe(40);
    expect(elf.entry & 1n).toBe(1n);
    const bin = readFileSync(join(fx.dir, 'build/arm-none-eabi/firmware.bin'));
    expect(bin.readUInt32LE(0)).toBe(0x20000000 + 20 * 1024);
    expect(BigInt(bin.readUInt32LE(4))).toBe(elf.entry);
  });
});

describe('toolchain safety', () => {
  const fx = fixture('portable');
  afterAll(() => fx.cleanup());
  const cfg = (text: string) => writeFileSync(join(fx.dir, 'festerconfig.ts'), text);

  it('aarch64 pointed at the host gcc: validation fails before any build, with a coded error', async () => {
    cfg("export default {\n  toolchains: { 'aarch64-linux-gnu': { prefix: '' } },\n};\n");
    const r = await fester(['build', '--target', 'aarch64-linux-gnu'], { cwd: fx.dir, cache: fx.cache });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/^error FE0305 .*toolchain for aarch64-linux-gnu failed validation at "elf": .*e_machine is 62 \(x86-64\), target aarch64-linux-gnu needs 183/m);
    expect(existsSync(join(fx.dir, 'build'))).toBe(false);
  });

  it('forced past validation, the ELF check fails the action and nothing is cached', async () => {
    const r = await fester(['build', '--target', 'aarch64-linux-gnu', '--skip-toolchain-validation', '--json'], { cwd: fx.dir, cache: fx.cache });
    expect(r.exitCode).toBe(1);
    const evs = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const failed = evs.filter((e) => e.type === 'action.finished' && e.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0].message).toMatch(/does not match target aarch64-linux-gnu: e_machine is 62/);
    expect(evs.filter((e) => e.type === 'cache.stored')).toHaveLength(0);
    expect(existsSync(join(fx.dir, 'build/aarch64-linux-gnu/obj/checksum/src/checksum.c.o'))).toBe(false);
  });

  it('a changed toolchain (wrapper script) misses the cache for that target only', async () => {
    const wrapper = join(fx.base, 'wrap-gcc');
    writeFileSync(wrapper, '#!/bin/sh\nexec /usr/bin/aarch64-linux-gnu-gcc "$@"\n');
    chmodSync(wrapper, 0o755);
    cfg(`export default {\n  toolchains: { 'aarch64-linux-gnu': { cc: ${JSON.stringify(wrapper)} } },\n};\n`);
    expect((await fester(['build'], { cwd: fx.dir, cache: fx.cache })).exitCode).toBe(0);
    writeFileSync(wrapper, '#!/bin/sh\nexec /usr/bin/aarch64-linux-gnu-gcc -fno-common "$@"\n');
    const r = await fester(['build'], { cwd: fx.dir, cache: fx.cache });
    expect(r.exitCode).toBe(0);
    const evs = await lastJournal(fx.dir);
    const ran = started(evs);
    expect(ran.length).toBeGreaterThan(0);
    expect(ran.every((a) => a.startsWith('aarch64-linux-gnu/'))).toBe(true);
    const misses = evs.filter((e) => e.type === 'cache.miss') as { action: string; reason: string }[];
    expect(misses.every((m) => m.action.startsWith('aarch64-linux-gnu/'))).toBe(true);
    expect(misses.find((m) => m.action.endsWith('checksum.c.o'))?.reason).toBe('toolchain-changed');
  });

  it('bad toolchain configuration gets coded errors naming the fix', async () => {
    cfg("export default { toolchains: { 'riscv64-linux-gnu': { prefix: 'no-such-' } } };\n");
    let r = await fester(['build', '--target', 'riscv64-linux-gnu'], { cwd: fx.dir, cache: fx.cache });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/^error FE0301 .*no-such-gcc not found[\s\S]*apt-get install gcc-riscv64-linux-gnu/m);
    cfg("export default { toolchains: { 'riscv64-linux-gnu': { sysroot: '/nonexistent/sysroot' } } };\n");
    r = await fester(['build', '--target', 'riscv64-linux-gnu'], { cwd: fx.dir, cache: fx.cache });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/^error FE0304 .*sysroot for target "riscv64-linux-gnu" does not exist: \/nonexistent\/sysroot/m);
    // A probe that links but cannot run (its ELF interpreter does not exist) fails under qemu.
    const broken = join(fx.base, 'broken-gcc');
    writeFileSync(broken, '#!/bin/sh\nexec /usr/bin/riscv64-linux-gnu-gcc -Wl,--dynamic-linker=/nonexistent/ld.so "$@"\n');
    chmodSync(broken, 0o755);
    cfg(`export default { toolchains: { 'riscv64-linux-gnu': { cc: ${JSON.stringify(broken)} } } };\n`);
    r = await fester(['build', '--target', 'riscv64-linux-gnu'], { cwd: fx.dir, cache: fx.cache });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/^error FE0306 .*riscv64-linux-gnu probe could not run under qemu-riscv64/m);
  });

  it('`fester toolchain list --json` shows every target with digest and validation state', async () => {
    cfg('export default {};\n');
    const r = await fester(['toolchain', 'list', '--json'], { cwd: fx.dir, cache: fx.cache });
    expect(r.exitCode).toBe(0);
    const rows = JSON.parse(r.stdout) as { target: string; digest?: string; validation: string; tools?: { cc: string } }[];
    expect(rows.map((x) => x.target)).toEqual(['host', 'x86_64-linux-gnu', 'aarch64-linux-gnu', 'riscv64-linux-gnu', 'arm-none-eabi']);
    for (const row of rows) expect(row.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(rows.find((x) => x.target === 'arm-none-eabi')!.tools!.cc).toBe('/usr/bin/arm-none-eabi-gcc');
  });
});

describe('isolation from the user’s shell', () => {
  const a = fixture('hello');
  const b = fixture('hello');
  afterAll(() => { a.cleanup(); b.cleanup(); });

  it('CFLAGS, CC, a PATH prefix with a fake gcc and LD_LIBRARY_PATH do not change outputs', async () => {
    const fake = join(b.base, 'fakebin');
    await execa('mkdir', ['-p', fake]);
    writeFileSync(join(fake, 'gcc'), '#!/bin/sh\necho fake gcc >&2; exit 1\n');
    chmodSync(join(fake, 'gcc'), 0o755);
    expect((await fester(['build'], { cwd: a.dir, cache: a.cache })).exitCode).toBe(0);
    const r = await fester(['build'], { cwd: b.dir, cache: b.cache, env: { CFLAGS: '-march=native -O0', CC: 'clang', PATH: `${fake}:${process.env.PATH}`, LD_LIBRARY_PATH: '/nonexistent', CPATH: '/nonexistent' } });
    expect(r.exitCode).toBe(0);
    for (const f of ['hello', 'shout', 'libgreet.a']) {
      expect(readFileSync(join(b.dir, 'build/host', f)).equals(readFileSync(join(a.dir, 'build/host', f))), f).toBe(true);
    }
  });
});
