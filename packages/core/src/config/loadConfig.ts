import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Loader } from 'cosmiconfig';
import { FesterError, isFesterError } from '../errors/FesterError.js';
import { isPluginOptionError } from './pluginOptions.js';
import { didYouMean } from '../errors/didYouMean.js';
import type { FesterConfig } from './types.js';

export const SEARCH_PLACES = ['festerconfig.ts', 'festerconfig.mts', 'festerconfig.js', 'festerconfig.mjs', 'festerconfig.json'];

let loads = 0;

/**
 * JavaScript configs are imported natively. Node caches ES modules by URL for the life of the
 * process, so each load gets its own URL: `fester watch` must see an edited config.
 */
const nativeLoader: Loader = async (filepath) => {
  const url = pathToFileURL(filepath);
  url.searchParams.set('load', String(++loads));
  const mod = (await import(url.href)) as { default?: unknown };
  return mod.default ?? mod;
};

/** TypeScript configs go through jiti, created on first use: most builds have none. */
const jitiLoader: Loader = async (filepath) => {
  const { createJiti } = await import('jiti');
  const jiti = createJiti(import.meta.url, { interopDefault: true, moduleCache: false, fsCache: false });
  return jiti.import(filepath, { default: true });
};

export interface LoadedConfig {
  config: FesterConfig;
  file?: string;
}

/**
 * Find festerconfig.* from `searchFrom` up to the nearest package.json folder, or load the
 * explicit `--config` file. No config file at all is fine: the defaults apply.
 */
export async function loadConfig(searchFrom: string, explicit?: string): Promise<LoadedConfig> {
  const file = explicit ? resolve(explicit) : findConfigFile(searchFrom);
  if (!file) return { config: { plugins: [] } };
  // cosmiconfig, jiti and zod load only when there is a config to read.
  const { cosmiconfig } = await import('cosmiconfig');
  const explorer = cosmiconfig('fester', {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: 'project',
    loaders: { '.ts': jitiLoader, '.mts': jitiLoader, '.js': nativeLoader, '.mjs': nativeLoader },
    cache: false,
  });
  if (!existsSync(file)) throw new FesterError('FE0003', { message: `config file not found: ${explicit}`, hint: 'check the --config path' });
  let found: { config: unknown; filepath: string } | null;
  try {
    found = await explorer.load(file);
  } catch (e) {
    if (isPluginOptionError(e)) throw optionError(file, e.option, e.message, e.hint, 'FE0204');
    if (isFesterError(e)) throw e;
    throw loadError(e, file);
  }
  if (!found) return { config: { plugins: [] } };
  const config = await validateConfig(found.config, found.filepath);
  // A relative cacheDir means relative to the config file, wherever fester is run from.
  if (config.cacheDir) config.cacheDir = resolve(dirname(found.filepath), config.cacheDir);
  if (config.farm?.tls) config.farm.tls = resolve(dirname(found.filepath), config.farm.tls);
  return { config, file: found.filepath };
}

/** The first festerconfig.* from `dir` up to the nearest folder with a package.json. */
export function findConfigFile(dir: string): string | undefined {
  let d = resolve(dir);
  for (;;) {
    for (const name of SEARCH_PLACES) if (existsSync(join(d, name))) return join(d, name);
    const up = dirname(d);
    if (existsSync(join(d, 'package.json')) || up === d) return undefined;
    d = up;
  }
}

function loadError(e: unknown, file: string): FesterError {
  const err = e as { message?: string; code?: string; stack?: string };
  const msg = String(err.message ?? e);
  // jiti reports `ParseError: <what>\n <file>:<line>:<col>` with a 0-based column; Node's own
  // loader puts `<url>:<line>` at the top of the stack of a SyntaxError.
  const jitiAt = /\.[cm]?[jt]s(?:on)?:(\d+):(\d+)/.exec(msg);
  const nativeAt = err.stack && /SyntaxError/.test(err.stack) ? /\.[cm]?js(?:\?[^:\s]*)?:(\d+)\n/.exec(err.stack) : null;
  const at = jitiAt ? { line: Number(jitiAt[1]), col: Number(jitiAt[2]) + 1 } : nativeAt ? { line: Number(nativeAt[1]) } : undefined;
  const first = msg.split('\n')[0]!.trim().replace(/^ParseError:\s*/, 'syntax error: ');
  const missing = /Cannot find (?:module|package) '([^']+)'/.exec(msg);
  const syntax = at !== undefined || /SyntaxError/.test(err.stack ?? '');
  const hint = missing
    ? `install it next to festerconfig: npm install ${missing[1]}`
    : syntax ? 'fix the syntax error at the position shown' : 'festerconfig threw while loading; fix the code it names';
  return new FesterError('FE0201', { message: `festerconfig could not be loaded: ${first}`, location: { file, ...at }, hint });
}

/** Validate a loaded config object; errors name the option, its line in the file, and the fix. */
export async function validateConfig(raw: unknown, file: string): Promise<FesterConfig> {
  const { CONFIG_KEYS, configSchema } = await import('./schema.js');
  const parsed = configSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data as FesterConfig;
  const issue = parsed.error.issues.find((i) => i.code === 'unrecognized_keys') ?? parsed.error.issues[0]!;
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const s = didYouMean(key, CONFIG_KEYS);
    throw optionError(file, key, `unknown option "${key}"`, s ? `did you mean "${s}"?` : `known options: ${CONFIG_KEYS.join(', ')}`);
  }
  const key = String(path[0] ?? '');
  if (key === 'plugins') throw optionError(file, key, `invalid plugin at "${path.join('.')}": ${issue.message}`, 'list plugin objects, e.g. plugins: [example({ ... })]', 'FE0203');
  throw optionError(file, key, `invalid option "${path.join('.') || 'config'}": ${issue.message}`, 'see docs/config.md');
}

/** An option error pointing at the option's first line in the config source. */
export function optionError(file: string, key: string, message: string, hint: string, code: 'FE0202' | 'FE0203' | 'FE0204' = 'FE0202'): FesterError {
  let line: number | undefined;
  let col: number | undefined;
  try {
    const lines = readFileSync(file, 'utf8').split('\n');
    const re = new RegExp(`\\b${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b\\s*:`);
    const i = key ? lines.findIndex((l) => re.test(l)) : -1;
    if (i >= 0) { line = i + 1; col = lines[i]!.search(re) + 1; }
  } catch { /* the location is a courtesy */ }
  return new FesterError(code, { message, hint, location: { file: relative(process.cwd(), file) || file, line, col } });
}
