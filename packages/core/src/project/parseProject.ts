import type * as Yaml from 'yaml';
import type { z } from 'zod';
import { FesterError } from '../errors/FesterError.js';
import { didYouMean } from '../errors/didYouMean.js';
import { lazy } from '../util/lazy.js';
import { KNOWN_TARGETS, knownKeysAt, schemas, type ProjectYaml } from './schema.js';

const yaml = lazy<typeof Yaml>('yaml');

export type Locate = (path: readonly (string | number)[]) => { line: number; col: number } | undefined;

/** Parse YAML text into a document that can say where any node is. */
export function yamlLocator(text: string): { doc: Yaml.Document; locate: Locate; locateKey: (p: readonly (string | number)[], key: string) => { line: number; col: number } | undefined; firstError?: { message: string; line: number; col: number } } {
  const { LineCounter, parseDocument, isNode } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locate: Locate = (path) => {
    const node = doc.getIn(path, true);
    if (!isNode(node) || !node.range) return undefined;
    return lineCounter.linePos(node.range[0]);
  };
  const locateKey = (path: readonly (string | number)[], key: string) => {
    // The pair's key node is what the user typed wrong, so point there.
    const parent = path.length === 0 ? doc.contents : doc.getIn(path, true);
    const items = (parent as { items?: { key?: { value?: unknown; range?: number[] } }[] } | null)?.items ?? [];
    const pair = items.find((p) => p.key?.value === key);
    return pair?.key?.range ? lineCounter.linePos(pair.key.range[0]) : locate(path);
  };
  const e = doc.errors[0];
  const firstError = e ? { message: e.message.split('\n')[0]!, ...lineCounter.linePos(e.pos[0]) } : undefined;
  return { doc, locate, locateKey, firstError };
}

/** YAML text → validated project data; every problem a FesterError at `shown`:line:col. */
export function parseProject(text: string, shown: string): { data: ProjectYaml; locate: Locate } {
  const { doc, locate, locateKey, firstError } = yamlLocator(text);
  if (firstError) {
    throw new FesterError('FE0101', { message: `malformed YAML: ${firstError.message}`, location: { file: shown, line: firstError.line, col: firstError.col } });
  }
  const raw = doc.toJS();
  const parsed = schemas().project.safeParse(raw ?? {});
  if (!parsed.success) throw schemaError(parsed.error, raw, shown, locate, locateKey);
  return { data: parsed.data, locate };
}

function schemaError(error: z.ZodError, raw: unknown, file: string, locate: Locate, locateKey: (p: readonly (string | number)[], key: string) => { line: number; col: number } | undefined): FesterError {
  // An unknown key usually explains the other issues (a misspelt required key), so it goes first.
  const issue = error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0]!;
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const dotted = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const suggestion = didYouMean(key, knownKeysAt(path));
    return new FesterError('FE0102', {
      message: `unknown key "${key}"${dotted ? ` in ${dotted}` : ''}`,
      location: { file, ...locateKey(path, key) },
      hint: suggestion ? `did you mean "${suggestion}"?` : `known keys here: ${knownKeysAt(path).join(', ')}`,
    });
  }
  if (issue.code === 'invalid_value' && path[0] === 'targets') {
    const given = String(path.reduce<unknown>((o, k) => (o as Record<string | number, unknown> | undefined)?.[k], raw));
    return new FesterError('FE0110', {
      message: `unknown target${given !== 'undefined' ? ` "${given}"` : ''}`,
      location: { file, ...locate(path) },
      hint: `known targets: ${KNOWN_TARGETS.join(', ')}`,
    });
  }
  const present = path.reduce<unknown>((o, k) => (o === undefined || o === null ? undefined : (o as Record<string | number, unknown>)[k]), raw);
  const missing = issue.code === 'invalid_type' && present === undefined;
  const where = missing ? locate(path.slice(0, -1)) : locate(path);
  return new FesterError('FE0103', {
    message: missing ? `missing required key "${dotted}"` : `invalid value at ${dotted || 'top level'}: ${issue.message}`,
    location: { file, ...(where ?? { line: 1, col: 1 }) },
  });
}
