import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Option } from 'clipanion';
import { FesterError, SessionLog, sessionsDir } from '@fester/core';
import { resolveProjectFile } from '../context.js';
import { replayDecisions, type ReplayReport } from '../replay/replayDecisions.js';
import { whatIf, type WhatIf } from '../replay/whatIf.js';
import { FesterCommand } from './FesterCommand.js';

export class ReplayCommand extends FesterCommand {
  static override paths = [['replay']];
  static override usage = FesterCommand.Usage({
    description: 'Feed a session\'s recorded timeline back through the scheduler and report every decision that differs; --mode: what if another mode had scheduled it',
    details: `
      Reads the session journal (.fester/sessions/<session>.jsonl of the project, a folder
      given with --dir such as a coordinator's <data-dir>/sessions, or a path to a .jsonl
      file). Each recorded scheduling decision is made again by the scheduler on a real
      schedule hook, from the node states the journal recorded and the arrivals and
      completions before it; exits 1 when any decision differs. A journal cut short (a
      crash mid-write) replays up to the tear. With --mode, the build is also simulated under
      the recorded mode and the given one and both makespans are printed (docs/replay.md).
    `,
    examples: [
      ['Replay a session of this project', 'fester replay 20261125T101403428Z-31dceb'],
      ['What if the thermal mode had scheduled it', 'fester replay 20261125T101403428Z-31dceb --mode thermal'],
      ['A coordinator\'s session', 'fester replay --dir /var/lib/fester/sessions 20261125T101403428Z-31dceb'],
    ],
  });

  session = Option.String({ name: 'session id' });
  mode = Option.String('--mode', { description: 'Also simulate the build under this mode and print both makespans' });
  build = Option.String('--build', { description: 'With --mode: the build of the session to simulate (default: the last that executed actions)' });
  dir = Option.String('--dir', { description: 'Folder of session journals (default: the project\'s .fester/sessions)' });
  project = Option.String('-p,--project', { description: 'project.yaml or its folder (default: ./project.yaml)' });
  json = Option.Boolean('--json', false, { description: 'Print the report as JSON' });

  async run(): Promise<number> {
    const file = this.journalFile();
    const log = new SessionLog(basename(file, '.jsonl'), file);
    log.tail();
    if (!log.events.length) throw new FesterError('FE1102', { message: `session journal ${file} holds no event` });
    const report = replayDecisions(log.events);
    const what = this.mode !== undefined ? whatIf(log.events, this.mode, this.build) : undefined;
    if (!report.decisions && !what) {
      throw new FesterError('FE1109', { message: `session ${log.id} recorded no scheduling decision (${log.events.length} events; one node, or every action came from the cache)` });
    }
    const tear = log.torn ? { afterSeq: log.lastSeq } : undefined;
    if (this.json) this.context.stdout.write(`${JSON.stringify({ session: log.id, ...(tear ? { torn: tear } : {}), badLines: log.badLines, ...report, ...(what ? { whatIf: what } : {}) }, null, 2)}\n`);
    else this.context.stdout.write(render(log.id, report, what, tear?.afterSeq));
    return report.differing.length ? 1 : 0;
  }

  /** A path to a journal, or a session id in --dir or the project's sessions folder. */
  private journalFile(): string {
    const asPath = resolve(this.session);
    if (this.session.endsWith('.jsonl') && existsSync(asPath) && statSync(asPath).isFile()) return asPath;
    const dir = this.dir ? resolve(this.dir) : sessionsDir(dirname(resolveProjectFile(this.project)));
    const f = join(dir, `${this.session}.jsonl`);
    if (!existsSync(f)) throw new FesterError('FE1102', { message: `no session "${this.session}" in ${dir}` });
    return f;
  }
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function render(session: string, r: ReplayReport, w: WhatIf | undefined, tornAfter: number | undefined): string {
  const out: string[] = [];
  if (tornAfter !== undefined) out.push(`journal torn after seq ${tornAfter}: replayed up to the tear`);
  const pct = r.replayed ? ((100 * r.same) / r.replayed).toFixed(1) : '0.0';
  const clock = r.clock.length ? `, ${r.clock.length} of them with a clock-derived factor (eft) off by the clock's resolution` : '';
  if (r.decisions) out.push(`replay of session ${session} (${r.modes.join(', ')} mode): ${r.same} of ${r.replayed} decisions reproduced (${pct}%)${clock}${r.skipped.length ? `, ${r.skipped.length} not replayable` : ''}`);
  else out.push(`session ${session}: no scheduling decision to replay (one node)`);
  for (const d of r.differing) {
    out.push(`  DIFFERS #${d.seq} ${d.action}: recorded ${d.recorded}, replayed ${d.replayed}`);
    for (const c of d.candidates) out.push(`    ${c.node}: ${c.recorded} → ${c.replayed}${c.factors.length ? ` (${c.factors.join(', ')})` : ''}`);
  }
  const reasons = new Map<string, number>();
  for (const s of r.skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
  for (const [why, n] of reasons) out.push(`  not replayable (${n}): ${why}`);
  if (w) {
    out.push('', `what if: build ${w.build}, ${w.actions} executed actions on ${w.nodes.length} node${w.nodes.length === 1 ? '' : 's'} (${w.nodes.join(', ')})${w.recordedMs !== undefined ? `; recorded wall time ${secs(w.recordedMs)}` : ''}`);
    for (const run of w.runs) out.push(`  ${run.mode.padEnd(16)} makespan ${secs(run.makespanMs)}  (lower bound ${secs(run.lowerBoundMs)}, utilisation ${(run.utilisation * 100).toFixed(0)}%)`);
    if (w.runs.length === 2) {
      const [a, b] = w.runs as [WhatIf['runs'][number], WhatIf['runs'][number]];
      out.push(`  ${b.mode} vs ${a.mode}: ${b.makespanMs <= a.makespanMs ? `${((1 - b.makespanMs / a.makespanMs) * 100).toFixed(1)}% shorter` : `${((b.makespanMs / a.makespanMs - 1) * 100).toFixed(1)}% longer`} (simulated)`);
    }
  }
  return `${out.join('\n')}\n`;
}
