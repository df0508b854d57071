import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CODES } from '../src/errors/codes.js';
import { createBuildHooks, createCompilerHooks } from '../src/hooks.js';

/** The user docs must keep up with the code: every error code, event type and hook is documented. */
const repo = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const doc = (name: string) => readFileSync(repo(`docs/${name}`), 'utf8');

describe('docs', () => {
  it('errors.md has a section for every error code', () => {
    const text = doc('errors.md');
    const headings = new Set([...text.matchAll(/^#{2,4} (FE\d{4})\b/gm)].map((m) => m[1]));
    const missing = Object.keys(CODES).filter((code) => !headings.has(code));
    expect(missing, 'codes without a "### FExxxx" heading in docs/errors.md').toEqual([]);
  });

  it('journal.md describes every journal event type', () => {
    // Read the union as text: the event types are types only, nothing to import at run time.
    const source = readFileSync(repo('packages/core/src/journal/events.ts'), 'utf8');
    const types = [...new Set([...source.matchAll(/type: '([a-z]+(?:\.[a-z]+)*)'/g)].map((m) => m[1]!))];
    expect(types.length).toBeGreaterThan(10);
    const text = doc('journal.md');
    const missing = types.filter((t) => !text.includes(`### \`${t}\``));
    expect(missing, 'event types without a "### `type`" section in docs/journal.md').toEqual([]);
  });

  it('config.md lists every compiler and build hook', () => {
    const text = doc('config.md');
    const names = [
      ...Object.keys(createCompilerHooks()).map((h) => `compiler.hooks.${h}`),
      ...Object.keys(createBuildHooks()).map((h) => `build.hooks.${h}`),
    ];
    const missing = names.filter((n) => !text.includes(`\`${n}\``));
    expect(missing, 'hooks missing from the hook tables of docs/config.md').toEqual([]);
  });
});
