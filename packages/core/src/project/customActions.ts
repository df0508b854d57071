import { posix } from 'node:path';
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
  const toRoot = posix.relative(outT, '.') || '.';
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
