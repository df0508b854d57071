import { readFileSync } from 'node:fs';

/** Set by the CLI bundle (scripts/bundle.mjs), where this file no longer sits next to dist/. */
declare const __FESTER_VERSION__: string | undefined;

/** The core package's version. */
export const VERSION: string = typeof __FESTER_VERSION__ === 'string'
  ? __FESTER_VERSION__
  : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
