import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { which, type TargetSpec, type Toolchain } from '@fester/core';
import { describe, elfProblems } from './check.js';
import { readElfHeader } from './elf.js';

export interface ValidationStep { name: 'compile' | 'link' | 'elf' | 'run'; ok: boolean; detail: string }

export interface ValidationResult {
  target: string;
  digest: string;
  ok: boolean;
  steps: ValidationStep[];
  /** The step that failed, if any, and whether it was qemu that could not run the probe. */
  failed?: ValidationStep['name'];
  qemuMissing?: boolean;
  at: string;
}

const PROBE = '#include <stdio.h>\nint main(void) {\n  printf("fester-probe %d\\n", (int)(sizeof(void *) * 8));\n  return 0;\n}\n';

/** Keyed by target and digest: the same gcc can be right for one target and wrong for another. */
function resultPath(cacheDir: string, target: string, digest: string): string {
  return join(cacheDir, 'toolchains', `validation-${target}-${digest}.json`);
}

/** The stored result for a target's toolchain digest, if it was validated before. */
export function cachedValidation(cacheDir: string, target: string, digest: string): ValidationResult | undefined {
  try { return JSON.parse(readFileSync(resultPath(cacheDir, target, digest), 'utf8')) as ValidationResult; } catch { return undefined; }
}

/**
 * Compile and link a probe with the toolchain, check its ELF header against the target, and
 * on Linux targets run it (under qemu-user when foreign) and check what it prints. The result
 * is kept by toolchain digest: a changed toolchain is validated again.
 */
export async function validateToolchain(tc: Toolchain, spec: TargetSpec, cacheDir: string, force = false): Promise<ValidationResult & { cached: boolean }> {
  const prior = force ? undefined : cachedValidation(cacheDir, tc.target, tc.digest);
  if (prior) return { ...prior, cached: true };
  const { execa } = await import('execa');
  const dir = mkdtempSync(join(tmpdir(), 'fester-probe-'));
  const steps: ValidationStep[] = [];
  const res: ValidationResult = { target: tc.target, digest: tc.digest, ok: false, steps, at: new Date().toISOString() };
  const step = (name: ValidationStep['name'], ok: boolean, detail: string) => { steps.push({ name, ok, detail }); if (!ok) res.failed ??= name; return ok; };
  const run = (argv: string[]) => execa(argv[0]!, argv.slice(1), { cwd: dir, env: tc.env, extendEnv: false, reject: false, timeout: 60_000 });
  try {
    writeFileSync(join(dir, 'probe.c'), PROBE);
    const c = await run([tc.tools.cc!, ...tc.cflags, '-c', 'probe.c', '-o', 'probe.o']);
    if (!step('compile', c.exitCode === 0, c.exitCode === 0 ? 'probe.c compiled' : String(c.stderr || c.shortMessage))) return finish();
    const exe = `probe${tc.exeSuffix}`;
    const l = await run([tc.tools.cc!, ...tc.ldflags, 'probe.o', '-o', exe]);
    if (!step('link', l.exitCode === 0, l.exitCode === 0 ? `${exe} linked` : String(l.stderr || l.shortMessage))) return finish();
    const problems: string[] = [];
    for (const f of ['probe.o', exe]) {
      const h = readElfHeader(readFileSync(join(dir, f)));
      if (!h) { problems.push(`${f} is not ELF`); continue; }
      problems.push(...elfProblems(h, spec).map((p) => `${f}: ${p}`));
      if (f === exe && spec.elf.arm && spec.cflags.includes('-mthumb') && (h.entry & 1n) !== 1n) problems.push(`${f}: entry point 0x${h.entry.toString(16)} is not Thumb`);
      if (f === exe && problems.length === 0) step('elf', true, `${exe}: ${describe(h)}${spec.elf.arm ? `, entry 0x${h.entry.toString(16)}` : ''}`);
    }
    if (problems.length) { step('elf', false, problems.join('; ')); return finish(); }
    if (spec.os !== 'linux') { step('run', true, 'bare-metal target: not run'); return finish(); }
    let argv = [join(dir, exe)];
    if (spec.qemu) {
      const qemu = which(spec.qemu);
      if (!qemu) { res.qemuMissing = true; step('run', false, `${spec.qemu} not found`); return finish(); }
      argv = [qemu, ...(tc.tools.sysroot ? ['-L', tc.tools.sysroot] : []), join(dir, exe)];
    }
    const r = await execa(argv[0]!, argv.slice(1), { reject: false, timeout: 60_000, extendEnv: false, env: { PATH: '/usr/bin:/bin' } });
    const want = `fester-probe ${spec.elf.bits}`;
    step('run', r.exitCode === 0 && String(r.stdout).trim() === want, r.exitCode === 0 ? `printed "${String(r.stdout).trim()}" (expected "${want}")` : `exit ${r.exitCode}: ${String(r.stderr || r.shortMessage).trim()}`);
    return finish();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  function finish(): ValidationResult & { cached: boolean } {
    res.ok = steps.length > 0 && steps.every((s) => s.ok) && steps.some((s) => s.name === 'run');
    // Only a result about the toolchain itself is remembered; a missing qemu is fixed by installing it.
    if (!res.qemuMissing) {
      mkdirSync(join(cacheDir, 'toolchains'), { recursive: true });
      writeFileSync(resultPath(cacheDir, tc.target, tc.digest), JSON.stringify(res, null, 2));
    }
    return { ...res, cached: false };
  }
}
