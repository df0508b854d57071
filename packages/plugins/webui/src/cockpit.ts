import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { FesterError } from '@fester/core';
import { cockpitDir } from './assets.js';

export interface CockpitInstallOptions {
  /** Package folder; default: /usr/share/cockpit/fester as root, else ~/.local/share/cockpit/fester. */
  dest?: string;
  /** Coordinator URL the module shows (http://host:port); kept in the package's config.json. */
  coordinator?: string;
  /** File holding the farm token: the module reads it through Cockpit to sign policy changes. */
  tokenFile?: string;
}

export interface CockpitInstallResult {
  dest: string;
  files: string[];
  config: { coordinator?: string; tokenFile?: string };
}

/** Where Cockpit looks for packages: system-wide for root, the user's XDG data dir otherwise. */
export function defaultCockpitDest(uid = process.getuid?.() ?? 1000, env = process.env): string {
  if (uid === 0) return '/usr/share/cockpit/fester';
  const data = env.XDG_DATA_HOME ? resolve(env.XDG_DATA_HOME) : join(homedir(), '.local', 'share');
  return join(data, 'cockpit', 'fester');
}

/**
 * Copy the built Cockpit package into place and write its config.json. A re-install keeps
 * the settings already there unless new ones are given (an upgrade must not forget the farm).
 */
export function installCockpit(opts: CockpitInstallOptions = {}): CockpitInstallResult {
  const src = cockpitDir();
  if (!existsSync(join(src, 'manifest.json'))) {
    throw new FesterError('FE1121', { message: `the Cockpit module was not built (${src} has no manifest.json)` });
  }
  if (opts.coordinator !== undefined && !isCoordinatorUrl(opts.coordinator)) {
    throw new FesterError('FE1120', { message: `not a coordinator URL: "${opts.coordinator}"` });
  }
  const dest = resolve(opts.dest ?? defaultCockpitDest());
  const files = readdirSync(src).filter((f) => f !== 'config.json');
  try {
    mkdirSync(dest, { recursive: true });
    for (const f of files) cpSync(join(src, f), join(dest, f), { recursive: true });
  } catch (e) {
    throw new FesterError('FE1121', { message: `cannot write ${dest}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
  }
  const configPath = join(dest, 'config.json');
  let config: CockpitInstallResult['config'] = {};
  try { config = JSON.parse(readFileSync(configPath, 'utf8')) as CockpitInstallResult['config']; } catch { /* first install */ }
  if (opts.coordinator !== undefined) config.coordinator = opts.coordinator.replace(/\/+$/, '');
  if (opts.tokenFile !== undefined) config.tokenFile = resolve(opts.tokenFile);
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  return { dest, files: [...files, 'config.json'], config };
}

/** http(s)://host[:port] — what cockpit.http can reach. */
export function isCoordinatorUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch { return false; }
}
