import { dirname } from 'node:path';
import { Option } from 'clipanion';
import { autopsy, FesterError, JournalIndex, sessionsDir, type Autopsy } from '@fester/core';
import { resolveProjectFile } from '../context.js';
import { FesterCommand } from './FesterCommand.js';

const short = (d?: string) => (d ? d.slice(0, 12) : '(none)');

export class AutopsyCommand extends FesterCommand {
  static override paths = [['autopsy']];
  static override usage = FesterCommand.Usage({
    description: 'Explain a failed build: the root-cause action, code or infrastructure, the causal chain, and what changed since the last green build',
    details: `
      Reads the project's session journals (.fester/sessions/ next to project.yaml). Without a
      build id, examines the newest failed, interrupted or abandoned build. The same answer is
      served as JSON at /api/autopsy/<build id> (docs/api.md).
    `,
    examples: [
      ['The last failed build', 'fester autopsy'],
      ['One build, as JSON', 'fester autopsy 20261125T101403428Z-31dceb.1 --json'],
    ],
  });

  build = Option.String({ required: false, name: 'build id' });
  project = Option.String('-p,--project', { description: 'project.yaml or its folder (default: ./project.yaml)' });
  json = Option.Boolean('--json', false, { description: 'Print the autopsy as JSON' });

  async run(): Promise<number> {
    const dir = sessionsDir(dirname(resolveProjectFile(this.project)));
    const index = new JournalIndex();
    index.addDir(dir);
    index.refresh();
    const builds = index.builds();
    let b;
    if (this.build) {
      b = index.build(this.build);
      if (!b) throw new FesterError('FE1101', { message: `no build "${this.build}" in ${dir}` });
    } else {
      b = [...builds].reverse().find((x) => x.status === 'failed' || x.status === 'interrupted' || x.status === 'abandoned');
      if (!b) {
        if (builds.length === 0) throw new FesterError('FE0701', { message: `no journal under ${dir}` });
        throw new FesterError('FE1107', { message: `no failed build in ${dir} (${builds.length} build${builds.length === 1 ? '' : 's'}, all green)` });
      }
    }
    const a = autopsy(index, b);
    this.context.stdout.write(this.json ? `${JSON.stringify(a, null, 2)}\n` : render(a));
    return 0;
  }
}

/** The autopsy for people: verdict first, then root causes, chain and changes. */
export function render(a: Autopsy): string {
  const out: string[] = [`autopsy of build ${a.build}${a.project ? ` (${a.project})` : ''}: ${a.status}`, `verdict: ${a.verdict} — ${a.summary}`];
  for (const r of a.rootCauses) {
    out.push('', `root cause${r.first ? ' (first failure)' : ''}: ${r.action}`);
    out.push(`  ${r.kind} failure${r.node ? ` on ${r.node}` : ''}: ${r.message}`);
    out.push(`  target ${r.target}${r.toolchain ? `, toolchain ${short(r.toolchain.digest)} (${r.toolchain.version})` : ''}`);
    if (r.argv) out.push(`  command: ${r.argv.join(' ')}`);
    if (r.missReason) out.push(`  ran because: ${r.missReason}${r.changed.length ? ` (${r.changed.map((c) => c.path).join(', ')})` : ''}`);
    for (const t of r.retries) out.push(`  retried after ${t.node} (attempt ${t.attempt}): ${t.reason}`);
    if (r.stderrExcerpt) out.push('  stderr:', ...r.stderrExcerpt.split('\n').map((l) => `    ${l}`));
    if (r.skipped) out.push(`  ${r.skipped} dependent action${r.skipped === 1 ? '' : 's'} skipped because of it`);
  }
  if (a.error) out.push('', `refused: ${a.error.code} ${a.error.message}`);
  if (a.cascaded.length) {
    const names = a.cascaded.slice(0, 8).map((c) => c.action).join(', ');
    out.push('', `cascaded: ${a.cascaded.length} (${names}${a.cascaded.length > 8 ? ', …' : ''})`);
  }
  const i = a.infrastructure;
  const infra = [
    i.dropouts.length ? `${i.dropouts.length} dropout(s): ${[...new Set(i.dropouts.map((d) => d.node))].join(', ')}` : '',
    i.revoked.length ? `${i.revoked.length} lease(s) revoked` : '',
    i.retries ? `${i.retries} retr${i.retries === 1 ? 'y' : 'ies'}` : '',
    i.refusedResults ? `${i.refusedResults} late result(s) refused` : '',
    i.corruptBlobs ? `${i.corruptBlobs} corrupt blob(s)` : '',
  ].filter(Boolean);
  out.push('', `infrastructure: ${infra.length ? infra.join('; ') : 'no farm incident recorded'}`);
  if (a.chain.length) {
    out.push('', 'causal chain:');
    a.chain.forEach((c, n) => out.push(`  ${n === 0 ? '' : c.relation === 'ran-because' ? '↳ ran because ' : '← '}#${c.seq} ${c.label}`));
  }
  const g = a.sinceGreen;
  out.push('');
  if (!g) out.push('since the last green build: no green build of this project in the journals');
  else {
    out.push(`since the last green build ${g.green.build} (${g.buildsSince} build${g.buildsSince === 1 ? '' : 's'} since):`);
    out.push(g.inputs.length ? '  inputs changed:' : '  inputs: unchanged');
    for (const c of g.inputs.slice(0, 20)) out.push(`    ${c.path}  ${short(c.before)} → ${short(c.after)}  (${c.actions.slice(0, 3).join(', ')}${c.actions.length > 3 ? ', …' : ''})`);
    if (g.inputs.length > 20) out.push(`    … ${g.inputs.length - 20} more`);
    if (g.commands.length) {
      out.push('  commands changed:');
      for (const c of g.commands.slice(0, 10)) out.push(`    ${c.action}: ${[...c.removed.map((x) => `-${x}`), ...c.added.map((x) => `+${x}`)].join(' ') || '(argument order)'}`);
    } else out.push('  commands: unchanged');
    if (g.toolchains.length) for (const t of g.toolchains) out.push(`  toolchain ${t.target}: ${short(t.before?.digest)} (${t.before?.version}) → ${short(t.after?.digest)} (${t.after?.version})`);
    else out.push('  toolchains: unchanged');
    if (g.nodes.length) for (const n of g.nodes) out.push(`  node of ${n.action}: ${n.before} → ${n.after}`);
    if (g.farm.added.length || g.farm.removed.length) out.push(`  farm nodes: ${[...g.farm.added.map((n) => `+${n}`), ...g.farm.removed.map((n) => `-${n}`)].join(' ')}`);
    if (!g.nodes.length && !g.farm.added.length && !g.farm.removed.length) out.push('  nodes: unchanged');
  }
  return `${out.join('\n')}\n`;
}
