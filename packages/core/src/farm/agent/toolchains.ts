import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FesterError, isFesterError } from '../../errors/index.js';
import { runCommand } from '../../exec/runCommand.js';
import { KNOWN_TARGETS } from '../../project/targets.js';
import { gccToolchain } from '../../toolchain/gccToolchain.js';
import { targetSpec } from '../../toolchain/targets.js';

/**
 * Which toolchains this node offers. A toolchain is offered only when it is found (and its
 * digest computed by the same code the build client uses, so the digests can match) *and*
 * a compile-only probe works: a cross compiler that is installed but broken (missing cc1,
 * wrong binutils) must not attract actions that would all fail here.
 */

export interface ToolchainCheck {
  target: string;
  ok: boolean;
  digest?: string;
  version?: string;
  /** Why the target is not offered (FE code and message). */
  code?: string;
  message?: string;
}

export interface VerifyOptions {
  /** Agent work dir: probes compile in `<workDir>/probe/<target>/`. */
  workDir: string;
  /** Only these targets (default: every known target). */
  targets?: readonly string[];
  /** Where toolchain digests are cached between runs (default `<workDir>/toolchains`). */
  cacheDir?: string;
  signal?: AbortSignal;
}

const PROBE_C = 'int fester_probe(int x) { return x * 3 + 1; }\n';

/** ELF e_machine of an object, read from its header (little-endian targets only, as all of ours are). */
function elfMachine(file: string): number | undefined {
  let head: Buffer;
  try { head = readFileSync(file).subarray(0, 20); } catch { return undefined; }
  if (head.length < 20 || head.toString('latin1', 0, 4) !== '\x7fELF') return undefined;
  return head.readUInt16LE(18);
}

/** Compile the probe with the target's own flags (arm-none-eabi needs -mcpu/-mthumb). */
async function probe(target: string, workDir: string, cacheDir: string, signal: AbortSignal): Promise<ToolchainCheck> {
  const spec = targetSpec(target)!;
  let tc;
  try {
    tc = await gccToolchain(target, cacheDir);
  } catch (e) {
    if (!isFesterError(e)) throw e;
    return { target, ok: false, code: e.code, message: e.message };
  }
  if (!tc) return { target, ok: false, code: 'FE0303', message: `no toolchain for ${target}` };
  const dir = join(workDir, 'probe', target);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(join(dir, 'probe.c'), PROBE_C);
    const r = await runCommand({ argv: [tc.tools.cc!, ...tc.cflags, '-c', 'probe.c', '-o', 'probe.o'], env: tc.env, cwd: dir }, signal);
    if (r.exitCode !== 0) {
      const why = (r.stderr || r.message || '').trim().split('\n')[0] ?? '';
      return { target, ok: false, digest: tc.digest, version: tc.version, code: 'FE0305', message: `probe compile failed (exit ${r.exitCode}): ${why}` };
    }
    const machine = elfMachine(join(dir, 'probe.o'));
    if (machine !== spec.elf.machine) {
      return { target, ok: false, digest: tc.digest, version: tc.version, code: 'FE0305', message: `probe object is for e_machine ${machine ?? '(not ELF)'}, expected ${spec.elf.machine} (${spec.elf.machineName})` };
    }
    return { target, ok: true, digest: tc.digest, version: tc.version };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Find and probe each target's toolchain, one after the other (digesting reads tens of MB
 * per toolchain; doing it in parallel would only compete with running actions for disks).
 * Unknown target names are FE0110.
 */
export async function verifyToolchains(opts: VerifyOptions): Promise<{ toolchains: Record<string, string>; checks: ToolchainCheck[] }> {
  const targets = opts.targets ?? KNOWN_TARGETS;
  const unknown = targets.filter((t) => !targetSpec(t));
  if (unknown.length) {
    throw new FesterError('FE0110', { message: `unknown target${unknown.length > 1 ? 's' : ''} ${unknown.map((t) => `"${t}"`).join(', ')}`, hint: `known targets: ${KNOWN_TARGETS.join(', ')}` });
  }
  const signal = opts.signal ?? new AbortController().signal;
  const checks: ToolchainCheck[] = [];
  for (const t of new Set(targets)) {
    if (signal.aborted) break;
    checks.push(await probe(t, opts.workDir, opts.cacheDir ?? join(opts.workDir, 'toolchains'), signal));
  }
  const toolchains: Record<string, string> = {};
  for (const c of checks) if (c.ok && c.digest) toolchains[c.target] = c.digest;
  return { toolchains, checks };
}
