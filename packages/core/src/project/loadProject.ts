import { readFileSync } from 'node:fs';
import { dirname, relative, resolve, isAbsolute } from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import { FesterError } from '../errors/FesterError.js';
import { didYouMean } from '../errors/didYouMean.js';
import { KNOWN_TARGETS, knownKeysAt, projectSchema } from './schema.js';
import type { ProjectSource } from './types.js';

function toPosix(p: string): string {
  return p.split('\\').join('/');
}

/** Read and validate project.yaml; every problem becomes a FesterError at file:line:col. */
export function loadProject(file: string): ProjectSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new FesterError('FE0003', { message: `project file not found: ${file}`, hint: 'pass the path of a project.yaml, or run in its directory' });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const shown = relative(process.cwd(), file) || file;
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const pos = lineCounter.linePos(err.pos[0]);
    throw new FesterError('FE0101', {
      message: `malformed YAML: ${err.message.split('\n')[0]}`,
      location: { file: shown, line: pos.line, col: pos.col },
    });
  }
  const locate = (path: readonly (string | number)[]) => {
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

  const raw = doc.toJS();
  const parsed = projectSchema.safeParse(raw ?? {});
  if (!parsed.success) throw schemaError(parsed.error, raw, shown, locate, locateKey);

  const data = parsed.data;
  const baseDir = dirname(resolve(file));
  const root = resolve(baseDir, data.root ?? '.');
  const outAbs = resolve(root, data.out ?? 'build');
  const out = toPosix(relative(root, outAbs));
  if (out === '' || out.startsWith('..') || isAbsolute(out)) {
    const at = locate(['out']);
    throw new FesterError('FE0107', {
      message: `out dir "${data.out}" must be a folder inside the project root`,
      location: { file: shown, ...at },
      hint: 'use a relative folder such as `build`',
    });
  }
  return { file: resolve(file), root, out, data, locate: (p) => locate(p) };
}

function schemaError(
  error: z.ZodError,
  raw: unknown,
  file: string,
  locate: (p: readonly (string | number)[]) => { line: number; col: number } | undefined,
  locateKey: (p: readonly (string | number)[], key: string) => { line: number; col: number } | undefined,
): FesterError {
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
  const missing = issue.code === 'invalid_type' && issue.input === undefined;
  const where = missing ? locate(path.slice(0, -1)) : locate(path);
  return new FesterError('FE0103', {
    message: missing ? `missing required key "${dotted}"` : `invalid value at ${dotted || 'top level'}: ${issue.message}`,
    location: { file, ...(where ?? { line: 1, col: 1 }) },
  });
}
