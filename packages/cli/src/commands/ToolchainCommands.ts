import { join } from 'node:path';
import { Option } from 'clipanion';
import { isFesterError, KNOWN_TARGETS, targetSpec, type Compiler, type Toolchain } from '@fester/core';
import { cachedValidation, validateToolchain, validationError, type ValidationResult } from '@fester/plugin-elf';
import { createCompiler } from '../context.js';
import { FesterCommand } from './FesterCommand.js';

interface Row { target: string; toolchain?: Toolchain; error?: { code: string; message: string; hint: string }; validation?: ValidationResult }

/** Resolve a target's toolchain through the hooks, as a build would, without building. */
async function resolve(compiler: Compiler, target: string): Promise<Row> {
  const build = compiler.createBuild({ file: join(process.cwd(), 'project.yaml'), journal: false, skipToolchainValidation: true });
  try {
    return { target, toolchain: await build.toolchain(target) };
  } catch (e) {
    if (!isFesterError(e)) throw e;
    return { target, error: { code: e.code, message: e.message, hint: e.hint } };
  }
}

function targetsArg(t: string | undefined): string[] {
  return t ? [t] : KNOWN_TARGETS.filter((x) => x !== 'host');
}

export class ToolchainListCommand extends FesterCommand {
  static override paths = [['toolchain', 'list']];
  static override usage = FesterCommand.Usage({ description: 'List every target with its toolchain: paths, version, digest and validation state' });
  json = Option.Boolean('--json', false, { description: 'Print JSON' });
  config = Option.String('-c,--config', { description: 'Path of festerconfig.*' });

  async run(): Promise<number> {
    const compiler = await createCompiler(join(process.cwd(), 'project.yaml'), { config: this.config });
    const rows: Row[] = [];
    for (const t of ['host', ...targetsArg(undefined)]) {
      const row = await resolve(compiler, t);
      if (row.toolchain) row.validation = cachedValidation(compiler.cacheDir, t, row.toolchain.digest);
      rows.push(row);
    }
    if (this.json) {
      this.context.stdout.write(`${JSON.stringify(rows.map((r) => ({ target: r.target, triple: targetSpec(r.target)?.triple, ...(r.toolchain ? { tools: r.toolchain.tools, version: r.toolchain.version, digest: r.toolchain.digest } : {}), validation: r.validation ? (r.validation.ok ? 'validated' : 'failed') : r.error ? 'missing' : 'not validated', ...(r.error ? { error: r.error } : {}) })), null, 2)}\n`);
      return 0;
    }
    for (const r of rows) {
      const state = r.error ? 'missing' : r.validation ? (r.validation.ok ? 'validated' : `FAILED (${r.validation.failed})`) : 'not validated';
      this.context.stdout.write(`${r.target.padEnd(18)} ${state}\n`);
      if (r.toolchain) {
        this.context.stdout.write(`  version ${r.toolchain.version}\n  digest  ${r.toolchain.digest}\n  cc      ${r.toolchain.tools.cc}\n  ar      ${r.toolchain.tools.ar}\n${r.toolchain.tools.sysroot ? `  sysroot ${r.toolchain.tools.sysroot}\n` : ''}`);
      } else if (r.error) {
        this.context.stdout.write(`  ${r.error.code}: ${r.error.message}\n  hint: ${r.error.hint}\n`);
      }
    }
    return 0;
  }
}

export class ToolchainValidateCommand extends FesterCommand {
  static override paths = [['toolchain', 'validate']];
  static override usage = FesterCommand.Usage({
    description: 'Compile, link, ELF-check and (Linux targets, under qemu-user) run a probe for each target',
    details: 'The result is kept by toolchain digest; a build for a target whose toolchain has not validated is refused. Exit 0 when every named target validated, 3 otherwise.',
    examples: [['Validate every cross target', 'fester toolchain validate'], ['Validate one', 'fester toolchain validate aarch64-linux-gnu']],
  });
  target = Option.String({ required: false, name: 'target' });
  json = Option.Boolean('--json', false, { description: 'Print JSON' });
  config = Option.String('-c,--config', { description: 'Path of festerconfig.*' });

  async run(): Promise<number> {
    if (this.target && !targetSpec(this.target)) {
      this.context.stderr.write(`error FE0110: unknown target "${this.target}"\n  hint: known targets: ${KNOWN_TARGETS.join(', ')}\n`);
      return 2;
    }
    const compiler = await createCompiler(join(process.cwd(), 'project.yaml'), { config: this.config });
    let code = 0;
    const out: unknown[] = [];
    for (const t of targetsArg(this.target)) {
      const row = await resolve(compiler, t);
      if (!row.toolchain) {
        code = 3;
        out.push({ target: t, ok: false, error: row.error });
        if (!this.json) this.context.stderr.write(`error ${row.error!.code} ${t}: ${row.error!.message}\n  hint: ${row.error!.hint}\n`);
        continue;
      }
      const r = await validateToolchain(row.toolchain, targetSpec(t)!, compiler.cacheDir, true);
      out.push(r);
      if (this.json) { if (!r.ok) code = 3; continue; }
      this.context.stdout.write(`${t.padEnd(18)} ${r.ok ? 'ok' : 'FAILED'}  (${row.toolchain.version}, digest ${r.digest.slice(0, 12)})\n`);
      for (const s of r.steps) this.context.stdout.write(`  ${s.ok ? 'ok  ' : 'FAIL'} ${s.name}: ${s.detail.split('\n')[0]}\n`);
      if (!r.ok) { code = 3; this.context.stderr.write(`${validationError(r).format()}\n`); }
    }
    if (this.json) this.context.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    await compiler.close();
    return code;
  }
}
