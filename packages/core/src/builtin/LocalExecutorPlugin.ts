import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Compiler } from '../Compiler.js';
import type { FesterPlugin } from '../config/types.js';
import { runCommand } from '../exec/runCommand.js';

/**
 * The embedded default's one node, `local`, and its executor: commands run here with execa.
 * Registered only when no other plugin has put nodes in the registry (a farm replaces it).
 */
export function localExecutorPlugin(): FesterPlugin {
  return {
    name: 'fester:local-executor',
    apply(compiler: Compiler) {
      compiler.hooks.initialize.tap('fester:local-executor', () => {
        if (compiler.nodes.length > 0) return;
        compiler.nodes.push({ id: 'local', kind: 'physical', arch: process.arch, slots: compiler.jobs || availableParallelism(), targets: ['*'], labels: {} });
      });
      compiler.hooks.build.tap('fester:local-executor', (build) => {
        build.hooks.execute.tapPromise('fester:local-executor', async (req) =>
          req.node.id === 'local' ? runCommand(req.command, req.signal, req.action.outputs.map((o) => join(build.project!.root, o))) : undefined);
      });
    },
  };
}
