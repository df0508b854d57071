import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { Compiler } from '../Compiler.js';
import type { FesterPlugin } from '../config/types.js';
import { FesterError } from '../errors/FesterError.js';

/** `validate`: a command that exits 0 must still have written every declared output. */
export function outputsExistPlugin(): FesterPlugin {
  return {
    name: 'fester:outputs-exist',
    apply(compiler: Compiler) {
      compiler.hooks.build.tap('fester:outputs-exist', (build) => {
        // Stage -100: a missing output is reported as such before other checks try to read it.
        build.hooks.validate.tapPromise({ name: 'fester:outputs-exist', stage: -100 }, async ({ action, outputs }) => {
          const missing = outputs.filter((o) => !existsSync(o));
          if (missing.length) {
            throw new FesterError('FE0402', { message: `action ${action.id} did not write ${missing.map((m) => relative(build.project!.root, m)).join(', ')}` });
          }
        });
      });
    },
  };
}
