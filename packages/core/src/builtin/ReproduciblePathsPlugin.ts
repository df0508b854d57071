import type { Compiler } from '../Compiler.js';
import type { FesterPlugin } from '../config/types.js';

/**
 * Compilers record the working directory in debug info; mapping it to `.` makes objects
 * independent of where the checkout lives. Added at run time, outside the action key,
 * because the absolute path is exactly what must not matter.
 */
export function reproduciblePathsPlugin(): FesterPlugin {
  return {
    name: 'fester:reproducible-paths',
    apply(compiler: Compiler) {
      compiler.hooks.build.tap('fester:reproducible-paths', (build) => {
        // Stage -100: before any wrapper (ccache, nice) prefixes the command, so argv[0] is the compiler.
        build.hooks.wrapCommand.tap({ name: 'fester:reproducible-paths', stage: -100 }, (cmd, action) => {
          if (action.kind !== 'compile') return cmd;
          const root = build.project!.root;
          return { ...cmd, argv: [cmd.argv[0]!, `-ffile-prefix-map=${root}=.`, ...cmd.argv.slice(1)] };
        });
      });
    },
  };
}
