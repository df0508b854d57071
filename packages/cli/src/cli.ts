import { Builtins, Cli } from 'clipanion';
import { VERSION } from '@fester/core';
import { BuildCommand } from './commands/BuildCommand.js';
import { CleanCommand } from './commands/CleanCommand.js';
import { ExplainCommand } from './commands/ExplainCommand.js';
import { SNAPSHOT_COMMANDS } from './commands/SnapshotCommands.js';
import { ToolchainListCommand, ToolchainValidateCommand } from './commands/ToolchainCommands.js';

export const COMMANDS = [BuildCommand, CleanCommand, ExplainCommand, ToolchainListCommand, ToolchainValidateCommand, ...SNAPSHOT_COMMANDS];

export function createCli(): Cli {
  const cli = new Cli({ binaryLabel: 'Fester — distributed, cached, replayable C/C++ builds', binaryName: 'fester', binaryVersion: VERSION });
  for (const c of COMMANDS) cli.register(c);
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  return cli;
}

/** Run the CLI and return the exit code (documented in docs/cli.md). */
export async function runCli(argv: string[]): Promise<number> {
  const cli = createCli();
  return cli.run(argv, Cli.defaultContext);
}
