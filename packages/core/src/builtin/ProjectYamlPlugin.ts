import { basename } from 'node:path';
import type { Compiler } from '../Compiler.js';
import type { FesterPlugin } from '../config/types.js';
import { FesterError, isFesterError } from '../errors/FesterError.js';
import { didYouMean } from '../errors/didYouMean.js';
import { KNOWN_TARGETS } from '../project/targets.js';
import { builtFor, expandProject, type TargetTools } from '../project/expand.js';
import { loadProject } from '../project/loadProject.js';

/** `resolve` for project.yaml: load, validate, resolve each target's toolchain, expand. */
export function projectYamlPlugin(): FesterPlugin {
  return {
    name: 'fester:project-yaml',
    apply(compiler: Compiler) {
      compiler.hooks.build.tap('fester:project-yaml', (build) => {
        build.hooks.resolve.tapPromise('fester:project-yaml', async (req) => {
          if (!/\.ya?ml$/.test(basename(req.file))) return undefined;
          const source = loadProject(req.file);
          const targets = [...new Set(req.targets ?? source.data.targets ?? ['host'])];
          const unknown = targets.find((t) => !(KNOWN_TARGETS as readonly string[]).includes(t));
          if (unknown) {
            const s = didYouMean(unknown, KNOWN_TARGETS);
            throw new FesterError('FE0110', { message: `unknown target "${unknown}" (from --target)`, hint: `${s ? `did you mean "${s}"? ` : ''}known targets: ${KNOWN_TARGETS.join(', ')}` });
          }
          const tools = new Map<string, TargetTools>();
          const arts = source.data.artifacts ?? [];
          if (arts.length > 0) {
            for (const t of targets.filter((t) => arts.some((a) => builtFor(a, t)))) {
              const tc = await build.toolchain(t, { file: source.file }).catch((e: unknown) => {
                // Point a toolchain problem at `targets:`; positions are computed only for errors.
                throw isFesterError(e) && e.location?.line === undefined ? e.at({ file: source.file, ...source.locate(['targets']) }) : e;
              });
              tools.set(t, { cc: basename(tc.tools.cc!), cxx: basename(tc.tools.cxx ?? tc.tools.cc!), ar: basename(tc.tools.ar!), cflags: tc.cflags, ldflags: tc.ldflags, exeSuffix: tc.exeSuffix });
            }
          }
          const actions = expandProject(source, targets, (t) => tools.get(t)!);
          return { source, actions };
        });
      });
    },
  };
}
