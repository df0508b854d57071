import { writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Option } from 'clipanion';
import * as t from 'typanion';
import { FesterError, readJournal, sessionJournalPath } from '@fester/core';
import { generateFarm, generateTrace, TRACE_KINDS, traceFromJournal } from '@fester/plugin-scheduler/sim';
import { resolveProjectFile } from '../context.js';
import { FesterCommand } from './FesterCommand.js';

const positive = t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(1)]);

/** JSON to --out, or to stdout for a pipe. */
function output(cmd: FesterCommand & { out?: string }, data: unknown, what: string): void {
  const text = `${JSON.stringify(data, null, 1)}\n`;
  if (!cmd.out) { cmd.context.stdout.write(text); return; }
  try { writeFileSync(cmd.out, text); } catch (e) {
    throw new FesterError('FE0003', { message: `cannot write ${cmd.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, hint: 'give --out a path in a writable folder' });
  }
  cmd.context.stderr.write(`fester: wrote ${what} to ${cmd.out}\n`);
}

export class TraceExportCommand extends FesterCommand {
  static override paths = [['trace', 'export']];
  static override usage = FesterCommand.Usage({
    description: 'Turn a session journal into a trace for `fester simulate`',
    details: `
      Takes the actions one build of the session executed (cache hits and up-to-date actions
      took no farm time), their measured runtimes and output sizes, and their dependencies as
      the command lines and recorded headers show them. Default: the session's last build
      that executed anything.
    `,
    examples: [['Export a session', 'fester trace export 20261125T093323123Z-ab12cd --out build.trace.json']],
  });

  session = Option.String({ name: 'session id' });
  project = Option.String('-p,--project', { description: 'project.yaml or its folder (default: ./project.yaml)' });
  build = Option.String('--build', { description: 'Build id within the session (default: its last build that ran actions)' });
  out = Option.String('-o,--out', { description: 'Write the trace here (default: stdout)' });

  async run(): Promise<number> {
    const journal = readJournal(sessionJournalPath(dirname(resolveProjectFile(this.project)), this.session));
    const trace = traceFromJournal(journal.events, this.build);
    output(this, trace, `a trace of ${trace.actions.length} actions`);
    return 0;
  }
}

export class TraceGenerateCommand extends FesterCommand {
  static override paths = [['trace', 'generate']];
  static override usage = FesterCommand.Usage({
    description: 'Write a synthetic trace (wide, deep, mixed) or farm file for `fester simulate`',
    details: `
      wide: libraries of independent compiles, an archive each, one link per target.
      deep: chains of dependent steps; the critical path dominates.
      mixed: a code generator, libraries of uneven size, executables (half LTO, parallel: high)
      over two targets. farm: three speeds of x86_64 machines and hot ARM boards.
      The same --seed writes the same file.
    `,
    examples: [
      ['A 3,000-action mixed trace', 'fester trace generate mixed --actions 3000 --seed 1 --out mixed.json'],
      ['The 50-node benchmark farm', 'fester trace generate farm --nodes 50 --out farm.json'],
    ],
  });

  kind = Option.String({ name: 'wide|deep|mixed|farm' });
  actions = Option.String('--actions', { validator: positive, description: 'Actions in the trace (default 3000; deep 1000)' });
  seed = Option.String('--seed', '1', { validator: t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(0)]) });
  targets = Option.String('--targets', { description: 'Comma-separated targets (default: x86_64-linux-gnu; mixed adds aarch64-linux-gnu)' });
  scale = Option.String('--scale', { validator: t.cascade(t.isNumber(), [t.isAtLeast(0.001)]), description: 'Multiply every runtime' });
  nodes = Option.String('--nodes', { validator: positive, description: 'farm: number of nodes (default 50)' });
  dropouts = Option.String('--dropouts', { validator: t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(0)]), description: 'farm: nodes that drop out for 60 s' });
  out = Option.String('-o,--out', { description: 'Write the file here (default: stdout)' });

  async run(): Promise<number> {
    const seed = Number(this.seed);
    if (this.kind === 'farm') {
      output(this, generateFarm({ seed, ...(this.nodes ? { nodes: Number(this.nodes) } : {}), ...(this.dropouts ? { dropouts: Number(this.dropouts) } : {}) }), 'a farm');
      return 0;
    }
    if (!(TRACE_KINDS as readonly string[]).includes(this.kind)) generateTrace(this.kind);
    const trace = generateTrace(this.kind, {
      seed,
      ...(this.actions ? { actions: Number(this.actions) } : {}),
      ...(this.targets ? { targets: this.targets.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
      ...(this.scale ? { scale: Number(this.scale) } : {}),
    });
    output(this, trace, `a ${this.kind} trace of ${trace.actions.length} actions`);
    return 0;
  }
}
