import { FesterError, targetSpec, type Compiler, type FesterPlugin } from '@fester/core';
import { validateOutputFiles } from './validateOutputs.js';
import { validateToolchain, type ValidationResult } from './probe.js';

export { readElfHeader, archiveMembers, armFlags, isArchive, type ElfHeader } from './elf.js';
export { elfProblems, describe as describeElf } from './check.js';
export { validateToolchain, cachedValidation, type ValidationResult, type ValidationStep } from './probe.js';
export { validateOutputFiles } from './validateOutputs.js';

/** The coded error for a toolchain whose probe failed: what failed and how to fix it. */
export function validationError(r: ValidationResult): FesterError {
  const spec = targetSpec(r.target)!;
  const failed = r.steps.find((s) => !s.ok);
  const details = r.steps.map((s) => `${s.ok ? 'ok  ' : 'FAIL'} ${s.name}: ${s.detail}`).join('\n');
  if (r.qemuMissing || (r.failed === 'run' && spec.qemu)) {
    return new FesterError('FE0306', { message: `the ${r.target} probe could not run under ${spec.qemu}: ${failed?.detail ?? ''}`, details, hint: `install ${['qemu-user', ...spec.packages.filter((p) => p.startsWith('libc6'))].join(' ')} (apt-get install …)` });
  }
  return new FesterError('FE0305', {
    message: `toolchain for ${r.target} failed validation at "${r.failed}": ${failed?.detail.split('\n')[0] ?? ''}`,
    details,
    hint: `builds for ${r.target} are refused until it validates; fix toolchains['${r.target}'] in festerconfig.ts or install ${spec.packages.join(' ')}, then run \`fester toolchain validate ${r.target}\``,
  });
}

export interface ElfPluginOptions {
  /** Validate each toolchain with a probe before its first build (default true). */
  validateToolchains?: boolean;
}

/**
 * ELF safety: a target is enabled only once its toolchain's probe validated (cached by
 * digest), and every output is checked against its target before anything is cached.
 */
export default function elf(options: ElfPluginOptions = {}): FesterPlugin {
  const name = 'fester:elf';
  return {
    name,
    apply(compiler: Compiler) {
      compiler.hooks.build.tap(name, (build) => {
        build.hooks.toolchainResolved.tapPromise(name, async (tc) => {
          if (options.validateToolchains === false || build.request.skipToolchainValidation) return;
          const spec = targetSpec(tc.target);
          if (!spec) return;
          const r = await validateToolchain(tc, spec, compiler.cacheDir);
          build.emit({ type: 'toolchain.validated', target: tc.target, digest: tc.digest, ok: r.ok, cached: r.cached, steps: r.steps });
          if (!r.ok) throw validationError(r);
        });
        build.hooks.validate.tapPromise(name, async ({ action, outputs }) => {
          const spec = targetSpec(action.target);
          if (spec && action.kind !== 'custom') validateOutputFiles(outputs, spec, build.project!.root, action.id);
        });
      });
    },
  };
}
