import { realpathSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { FesterError } from '../errors/FesterError.js';
import type { ActionSpec } from '../types.js';
import { expandPattern, isGlob } from './globs.js';
import type { ProjectSource } from './types.js';

/**
 * The raw `actions` of project.yaml, once per target. A custom action runs in
 * `<out>/<target>/`; its outputs are relative to that folder and may not leave it; its inputs
 * are relative to the root. `{out}` and `{root}` in `run` and `inputs` name those folders.
 */
export function expandCustomActions(src: ProjectSource, target: string, outT: string): ActionSpec[] {
  const toRoot = rootFrom(src, outT);
  return (src.data.actions ?? []).flatMap((a, i) => {
    if (a.targets && !a.targets.includes(target as never)) return [];
    const outputs = a.outputs.map((o, j) => {
      const p = posix.normalize(`${outT}/${o}`);
      if (o.startsWith('/') || !p.startsWith(`${outT}/`)) {
        throw new FesterError('FE0107', {
          message: `output "${o}" of action "${a.id}" escapes the out dir`,
          location: { file: src.file, ...src.locate(['actions', i, 'outputs', j]) },
        });
      }
      return p;
    });
    const inputs = (a.inputs ?? []).flatMap((raw, j) => {
      const pattern = raw.replaceAll('{out}', outT).replaceAll('{root}', '.');
      const found = expandPattern(src.root, pattern, [], src.out).map((f) => posix.normalize(f));
      if (isGlob(pattern) && found.length === 0) {
        throw new FesterError('FE0104', {
          message: `input "${raw}" of action "${a.id}" matches no file`,
          location: { file: src.file, ...src.locate(['actions', i, 'inputs', j]) },
        });
      }
      return found;
    });
    return [{
      id: `${target}/${a.id}`,
      kind: 'custom',
      target,
      argv: a.run.map((s) => s.replaceAll('{out}', '.').replaceAll('{root}', toRoot)),
      cwd: outT,
      inputs,
      outputs,
      orderOnly: [],
      env: { FESTER_ROOT: toRoot, FESTER_TARGET: target },
      meta: { yamlIndex: i },
    } satisfies ActionSpec];
  });
}

/**
 * `..`-steps from `<out>/<target>` back to the root. The kernel resolves `..` from where the
 * folder really is, so when the out dir is a symlink (onto a Btrfs volume, a RAM disk) the
 * steps are counted between the real locations; otherwise they follow the project's layout.
 */
function rootFrom(src: ProjectSource, outT: string): string {
  const logical = posix.relative(outT, '.') || '.';
  try {
    const realOut = realpathSync(join(src.root, src.out));
    const realRoot = realpathSync(src.root);
    if (realOut === join(realRoot, src.out)) return logical;
    return relative(join(realOut, outT.slice(src.out.length + 1)), realRoot).split('\\').join('/') || '.';
  } catch {
    return logical; // the out dir does not exist yet: it will be created as a plain folder
  }
}
