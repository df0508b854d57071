import type { z } from 'zod';
import { FesterError, isFesterError } from '../errors/FesterError.js';

/** Thrown by a plugin factory for a bad option; the config loader adds file and line. */
export class PluginOptionError extends FesterError {
  readonly plugin: string;
  readonly option: string;
  constructor(plugin: string, option: string, message: string, hint: string) {
    super('FE0204', { message, hint });
    this.plugin = plugin;
    this.option = option;
  }
}

/**
 * Validate a plugin's options against a zod schema. For plugin authors: call it in the
 * factory, so a bad option fails when festerconfig.ts loads, naming plugin and option.
 */
export function pluginOptions<S extends z.ZodType>(plugin: string, schema: S, options: unknown): z.infer<S> {
  const r = schema.safeParse(options ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues.find((i) => i.code === 'unrecognized_keys') ?? r.error.issues[0]!;
  const option = issue.code === 'unrecognized_keys' ? issue.keys[0]! : issue.path.map(String).join('.');
  const what = issue.code === 'unrecognized_keys' ? `unknown option "${option}"` : `option "${option}": ${issue.message}`;
  throw new PluginOptionError(plugin, option.split('.')[0] ?? '', `plugin "${plugin}": ${what}`, `fix the options passed to ${plugin}(…) in festerconfig`);
}

/** Recognised by shape, not class identity (a plugin may carry its own copy of the core). */
export function isPluginOptionError(e: unknown): e is PluginOptionError {
  return isFesterError(e) && e.code === 'FE0204' && typeof (e as { option?: unknown }).option === 'string';
}
