import { Builtins, Cli } from 'clipanion';
import { VERSION } from '@fester/core';
import { BuildCommand } from './commands/BuildCommand.js';
import { CacheGcCommand, CacheStatsCommand, CacheVerifyCommand } from './commands/CacheCommands.js';
import { CacheServeCommand } from './commands/CacheServeCommand.js';
import { CleanCommand } from './commands/CleanCommand.js';
import { CockpitInstallCommand } from './commands/CockpitCommand.js';
import { ExplainCommand } from './commands/ExplainCommand.js';
import { AutopsyCommand } from './commands/AutopsyCommand.js';
import { GrafanaExportCommand } from './commands/GrafanaCommand.js';
import { UiCommand } from './commands/UiCommand.js';
import { ReplayCommand } from './commands/ReplayCommand.js';
import { SNAPSHOT_COMMANDS } from './commands/SnapshotCommands.js';
import { WatchCommand } from './commands/WatchCommand.js';
import { CoordinatorCommand } from './commands/CoordinatorCommand.js';
import { AgentCommand } from './commands/AgentCommand.js';
import { FarmCertCommand, FarmInitCommand } from './commands/FarmInitCommand.js';
import { NodeListCommand, NodeSetPolicyCommand } from './commands/NodeCommands.js';
import { ToolchainListCommand, ToolchainValidateCommand } from './commands/ToolchainCommands.js';
import { SimulateCommand } from './commands/SimulateCommand.js';
import { TraceExportCommand, TraceGenerateCommand } from './commands/TraceCommands.js';

export const COMMANDS = [BuildCommand, CleanCommand, ExplainCommand, ToolchainListCommand, ToolchainValidateCommand, WatchCommand, CacheStatsCommand, CacheVerifyCommand, CacheGcCommand, CacheServeCommand, ...SNAPSHOT_COMMANDS, CoordinatorCommand, AgentCommand, FarmInitCommand, FarmCertCommand, NodeListCommand, NodeSetPolicyCommand, CockpitInstallCommand, AutopsyCommand, ReplayCommand, UiCommand, GrafanaExportCommand, SimulateCommand, TraceExportCommand, TraceGenerateCommand];

export function createCli(): Cli {
  const cli = new Cli({ binaryLabel: 'Fester — distributed, cached, replayable C/C++ builds', binaryName: 'fester', binaryVersion: VERSION, enableColors: process.stdout.isTTY === true });
  for (const c of COMMANDS) cli.register(c);
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  return cli;
}

/** Run the CLI and return the exit code (documented in docs/cli.md). */
export async function runCli(argv: string[]): Promise<number> {
  const cli = createCli();
  let command;
  try {
    command = cli.process(argv, Cli.defaultContext);
  } catch (e) {
    // A mistyped command or option is a usage error: exit 2, like other bad input (1 means a failed build).
    process.stderr.write(cli.error(e));
    return 2;
  }
  return cli.run(command, Cli.defaultContext);
}
