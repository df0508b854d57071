import { FesterError } from './FesterError.js';

/** Wraps anything a plugin throws so the user learns which plugin and which hook failed. */
export class PluginError extends FesterError {
  readonly plugin: string;
  readonly hook: string;

  constructor(plugin: string, hook: string, cause: unknown) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    super('FE0601', {
      message: `plugin "${plugin}" failed in hook "${hook}": ${msg}`,
      cause,
    });
    this.name = 'PluginError';
    this.plugin = plugin;
    this.hook = hook;
  }
}
