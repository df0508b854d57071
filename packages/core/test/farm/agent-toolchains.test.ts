import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyToolchains } from '../../src/farm/agent/toolchains.js';
import { gccToolchain } from '../../src/toolchain/gccToolchain.js';
import { which } from '../../src/toolchain/which.js';

let dirs: string[] = [];
const savedPath = process.env.FESTER_TOOLCHAIN_PATH;
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
  if (savedPath === undefined) delete process.env.FESTER_TOOLCHAIN_PATH; else process.env.FESTER_TOOLCHAIN_PATH = savedPath;
});
function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'fester-agent-tc-'));
  dirs.push(d);
  return d;
}

function script(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

describe('verifyToolchains', () => {
  it('offers each installed target with the digest the build client computes, after a probe compile', async () => {
    const work = scratch();
    // arm-none-eabi also checks the probe uses the target's own flags (-mcpu, -mthumb).
    const installed = ['host', 'arm-none-eabi'].filter((t) => t === 'host' || which(`${t}-gcc`, '/usr/local/bin:/usr/bin:/bin'));
    const { toolchains, checks } = await verifyToolchains({ workDir: work, targets: installed });
    expect(Object.keys(toolchains).sort()).toEqual([...installed].sort());
    for (const t of installed) {
      // Same code, same digest: what makes an agent's offer match a client's action key.
      expect(toolchains[t]).toBe((await gccToolchain(t, join(work, 'client-cache')))!.digest);
    }
    expect(checks.every((c) => c.ok && c.version)).toBe(true);
  });

  it('does not offer a toolchain whose probe compile fails, or that makes code for another machine', async () => {
    const work = scratch();
    const bin = scratch();
    // A "host" gcc that answers queries but cannot compile (cc1 broken).
    script(join(bin, 'gcc'), 'for a in "$@"; do [ "$a" = -c ] && { echo "gcc: fatal error: cannot execute cc1" >&2; exit 1; }; done\nexec /usr/bin/gcc "$@"');
    // An "aarch64" cross compiler that is really the host compiler.
    script(join(bin, 'aarch64-linux-gnu-gcc'), 'exec /usr/bin/gcc "$@"');
    for (const tool of ['ar', 'aarch64-linux-gnu-ar']) symlinkSync(which('ar', '/usr/bin:/bin')!, join(bin, tool));
    process.env.FESTER_TOOLCHAIN_PATH = bin;
    const { toolchains, checks } = await verifyToolchains({ workDir: work, targets: ['host', 'aarch64-linux-gnu', 'riscv64-linux-gnu'] });
    expect(toolchains).toEqual({});
    const by = Object.fromEntries(checks.map((c) => [c.target, c]));
    expect(by.host).toMatchObject({ ok: false, code: 'FE0305', message: expect.stringMatching(/probe compile failed.*cannot execute cc1/) });
    expect(by['aarch64-linux-gnu']).toMatchObject({ ok: false, code: 'FE0305', message: expect.stringMatching(/e_machine 62, expected 183/) });
    expect(by['riscv64-linux-gnu']).toMatchObject({ ok: false, code: 'FE0301' });
  });

  it('refuses unknown target names with FE0110', async () => {
    await expect(verifyToolchains({ workDir: scratch(), targets: ['host', 'pdp11'] })).rejects.toMatchObject({ code: 'FE0110', message: expect.stringMatching(/"pdp11"/) });
  });
});
