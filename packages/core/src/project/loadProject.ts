import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { FesterError } from '../errors/FesterError.js';
import { sha256 } from '../fingerprint/hash.js';
import { VERSION } from '../version.js';
import { parseProject, yamlLocator, type Locate } from './parseProject.js';
import type { ProjectYaml } from './schema.js';
import type { ProjectSource } from './types.js';

function toPosix(p: string): string {
  return p.split('\\').join('/');
}

interface ParseCache { version: string; digest: string; data: ProjectYaml }

/**
 * Read and validate project.yaml. The validated data is kept by content digest in
 * `<dir>/.fester/project.json`, so an unchanged file is not parsed again; positions for
 * error messages are then computed only if an error needs one.
 */
export function loadProject(file: string): ProjectSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new FesterError('FE0003', { message: `project file not found: ${file}`, hint: 'pass the path of a project.yaml, or run in its directory' });
  }
  const shown = relative(process.cwd(), file) || file;
  const digest = sha256(text);
  const cachePath = join(dirname(resolve(file)), '.fester', 'project.json');
  let data: ProjectYaml | undefined;
  let locate: Locate | undefined;
  try {
    const c = JSON.parse(readFileSync(cachePath, 'utf8')) as ParseCache;
    if (c.version === VERSION && c.digest === digest) data = c.data;
  } catch { /* no cache yet */ }
  if (!data) {
    ({ data, locate } = parseProject(text, shown));
    try {
      mkdirSync(dirname(cachePath), { recursive: true });
      writeFileSync(`${cachePath}.tmp`, JSON.stringify({ version: VERSION, digest, data } satisfies ParseCache));
      renameSync(`${cachePath}.tmp`, cachePath);
    } catch { /* a parse cache that cannot be written only costs time */ }
  }
  const lazyLocate: Locate = (p) => (locate ??= yamlLocator(text).locate)(p);
  const baseDir = dirname(resolve(file));
  const root = resolve(baseDir, data.root ?? '.');
  const outAbs = resolve(root, data.out ?? 'build');
  const out = toPosix(relative(root, outAbs));
  if (out === '' || out.startsWith('..') || isAbsolute(out)) {
    throw new FesterError('FE0107', {
      message: `out dir "${data.out}" must be a folder inside the project root`,
      location: { file: shown, ...lazyLocate(['out']) },
      hint: 'use a relative folder such as `build`',
    });
  }
  return { file: resolve(file), root, out, data, locate: lazyLocate };
}
