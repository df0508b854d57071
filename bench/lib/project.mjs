import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandGraph } from '../gen/deps.mjs';
import { makefile } from '../gen/makefile.mjs';
import { buildNinja } from '../gen/ninja.mjs';
import { executedCommands, readEvents } from './journal.mjs';

/** The commands of a Fester journal with their edges, insisting it ran every action. */
export function graphFromJournal(journal, root) {
  const events = readEvents(journal);
  const commands = executedCommands(events);
  if (!commands.length) throw new Error(`${journal} ran no commands: cannot derive a peer build file`);
  return commandGraph(commands, root);
}

export function writeMakefile(dir, graph) {
  writeFileSync(join(dir, 'Makefile'), makefile(graph));
}

export function writeBuildNinja(dir, graph) {
  writeFileSync(join(dir, 'build.ninja'), buildNinja(graph));
}

export function readJson(path, fallback) {
  try { return JSON.parse(readFileSync(path, 'utf8')); } catch { return fallback; }
}

/** The `out:` folder a project.yaml names (default `build`), without a YAML parser. */
export function outDirOf(yamlPath) {
  const m = /^out:\s*["']?([^"'\s#]+)/m.exec(readFileSync(yamlPath, 'utf8'));
  return m ? m[1] : 'build';
}
