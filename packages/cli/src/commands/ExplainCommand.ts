import { dirname } from 'node:path';
import { Option } from 'clipanion';
import { explainAction, readJournal, sessionJournalPath, type Explanation } from '@fester/core';
import { resolveProjectFile } from '../context.js';
import { FesterCommand } from './FesterCommand.js';

const short = (d?: string) => (d ? d.slice(0, 12) : '(none)');

export class ExplainCommand extends FesterCommand {
  static override paths = [['explain']];
  static override usage = FesterCommand.Usage({
    description: 'Say why an action ran, hit the cache or was skipped, and which input changed',
    examples: [
      ['Explain the link of `app`', 'fester explain app'],
      ['Explain one object in an older session', 'fester explain main.c.o --session 20261125T093323123Z-ab12cd'],
    ],
  });

  action = Option.String({ name: 'action' });
  project = Option.String('-p,--project', { description: 'project.yaml (default: ./project.yaml)' });
  session = Option.String('--session', { description: 'Session id (default: the newest)' });
  json = Option.Boolean('--json', false, { description: 'Print the explanation as JSON' });

  async run(): Promise<number> {
    const file = resolveProjectFile(this.project);
    const journal = readJournal(sessionJournalPath(dirname(file), this.session));
    const x = explainAction(journal.events, this.action);
    if (this.json) {
      this.context.stdout.write(`${JSON.stringify(x, null, 2)}\n`);
      return 0;
    }
    this.context.stdout.write(render(x));
    return 0;
  }
}

function render(x: Explanation): string {
  const lines = [`${x.action}  (build ${x.build})`, `  outcome: ${x.outcome}`];
  if (x.key) lines.push(`  key:     ${x.key}`);
  if (x.outcome === 'up-to-date') lines.push('  why:     every input, the command and the toolchain are as in the previous build; outputs intact');
  if (x.outcome === 'cache-hit') lines.push(`  why:     outputs restored from the ${x.tier} cache tier after their digests checked; the compiler did not run`);
  if (x.reason) {
    lines.push(`  why:     cache miss: ${x.reason}${x.previousKey ? ` (previous key ${short(x.previousKey)})` : ''}`);
    for (const c of x.changed) {
      const what = c.before && c.after ? 'changed' : c.after ? 'added' : 'removed';
      lines.push(`    ${what}: ${c.path}  ${short(c.before)} → ${short(c.after)}`);
    }
  }
  if (x.node) lines.push(`  ran on:  ${x.node}${x.durationMs !== undefined ? ` in ${(x.durationMs / 1000).toFixed(2)}s` : ''}${x.exitCode !== undefined && x.exitCode !== null ? `, exit ${x.exitCode}` : ''}`);
  if (x.argv) lines.push(`  command: ${x.argv.join(' ')}`);
  lines.push(...decisionLines(x));
  if (x.skippedBecause) lines.push(`  skipped: ${x.skippedBecause} failed`);
  if (x.stderr && x.outcome === 'failed') lines.push('  stderr:', ...x.stderr.trimEnd().split('\n').map((l) => `    ${l}`));
  return `${lines.join('\n')}\n`;
}

/** The scheduler's last `schedule.decision` for the action: every node, its factors, why it lost or was filtered. */
function decisionLines(x: Explanation): string[] {
  const d = [...x.events].reverse().find((e) => e.type === 'schedule.decision');
  if (d?.type !== 'schedule.decision') return [];
  const out = [`  placed:  ${d.chosen ? `on ${d.chosen}` : 'nowhere (no eligible node)'} by the ${d.mode} scheduler (seed ${d.seed}${d.class ? `, class ${d.class}` : ''})`];
  const width = Math.max(...d.candidates.map((c) => c.node.length));
  for (const c of d.candidates) {
    const factors = Object.entries(c.factors).filter(([k]) => k !== 'tie').map(([k, f]) => `${k} ${f.value.toFixed(2)}×${f.weight}`).join('  ');
    const verdict = c.filtered ? `filtered: ${c.filtered}` : c.lost ? `lost: ${c.lost}` : 'chosen';
    out.push(`    ${c.node.padEnd(width)}  ${c.filtered ? '' : `score ${c.score.toFixed(3)}  ${factors}  `}${verdict}`);
  }
  if (d.omitted) out.push(`    … ${d.omitted.lost} more eligible nodes, ${Object.entries(d.omitted.filtered).map(([r, n]) => `${n} more ${r}`).join(', ') || 'no more filtered'}`);
  return out;
}
