import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Compiler, FesterError, loadConfig, type Journal } from '@fester/core';
import { withDefaultPlugins } from './defaultPlugins.js';

/** The project file a command means: the argument, a folder's project.yaml, or ./project.yaml. */
export function resolveProjectFile(arg: string | undefined, cwd = process.cwd()): string {
  const p = resolve(cwd, arg ?? 'project.yaml');
  if (existsSync(p) && statSync(p).isDirectory()) return join(p, 'project.yaml');
  if (!existsSync(p)) {
    throw new FesterError('FE0003', { message: `project file not found: ${arg ?? 'project.yaml'}`, hint: 'run in a folder with a project.yaml, or pass its path: fester build path/to/project.yaml' });
  }
  return p;
}

export interface CompilerFlags {
  config?: string;
  jobs?: number;
  /** Continue this session journal (watch reloading its config). */
  journal?: Journal;
  /** --farm/--token/--tls given on the command line: over festerconfig's `farm`. */
  farm?: { url?: string; token?: string; tls?: string; certName?: string };
  /** --mode: over festerconfig's `scheduler.mode` (the scheduler plugin checks the name: FE1001). */
  mode?: string;
}

/** Load festerconfig (searched from the project's folder, or --config) and make a Compiler. */
export async function createCompiler(projectFile: string, flags: CompilerFlags): Promise<Compiler> {
  const { config, file } = await loadConfig(dirname(projectFile), flags.config);
  if (flags.farm && Object.values(flags.farm).some((v) => v !== undefined)) {
    const merged = { ...config.farm, ...Object.fromEntries(Object.entries(flags.farm).filter(([, v]) => v !== undefined)) };
    if (!merged.url) throw new FesterError('FE0801', { message: '--token/--tls given but no farm URL', hint: 'pass --farm http://host:port or set farm.url in festerconfig.ts' });
    config.farm = merged as { url: string };
  }
  if (flags.mode !== undefined) config.scheduler = { ...config.scheduler, mode: flags.mode };
  return new Compiler({ config: withDefaultPlugins(config), configFile: file, jobs: flags.jobs, journal: flags.journal });
}
