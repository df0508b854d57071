import { readFileSync, writeFileSync } from 'node:fs';

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

const secs = (s) => (s === undefined ? '—' : `${s.toFixed(s < 1 ? 3 : 2)} s`);

/** Rows with the derived ratio and verdict: ratio = Fester time / peer time (lower is better). */
export function finish(rows) {
  return rows.map((r) => {
    if (r.skipped) return { ...r, ratio: undefined, met: undefined };
    const ratio = r.fester / r.peerTime;
    return { ...r, ratio, met: ratio <= r.target };
  });
}

/** Median CPU seconds (user + system, whole process tree) of each side, when measured. */
const cpuText = (r) => (r.cpu?.fester === undefined || r.cpu?.peer === undefined ? ''
  : `; CPU fester ${r.cpu.fester.toFixed(2)} s vs ${r.cpu.peer.toFixed(2)} s (${(r.cpu.fester / r.cpu.peer).toFixed(2)}×)`);

const verdict = (r) => (r.skipped ? 'skipped' : r.met ? 'yes' : 'NO');
const ratioText = (r) => (r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`);

/** A plain-text table for the terminal. */
export function textTable(rows) {
  const head = ['case', 'fester', 'peer', 'peer time', 'ratio', 'target', 'met'];
  const body = rows.map((r) => [r.case, secs(r.fester), r.peer, secs(r.peerTime), ratioText(r), `≤ ${r.target}×`, verdict(r)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(w[i])).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(line)].join('\n');
}

/** The markdown section: when, on what, the table, and the raw samples behind each median. */
export function markdownSection(rows, m, meta) {
  const out = [
    START,
    `_Written by \`npm run bench\` on ${meta.date} (commit ${meta.commit}); the whole run took ${meta.totalMinutes.toFixed(1)} min. Do not edit by hand._`,
    '',
    `**Machine:** ${m.nproc} CPUs (\`nproc\`), ${m.cpu}, ${m.memGiB} GiB RAM; Node ${m.node}, gcc ${m.gcc}, ${m.make}, ninja ${m.ninja}, ${m.ccache}. Every build ran with \`-j ${meta.jobs}\`. Load average (1 min) ${meta.load[0].toFixed(2)} at the start, ${meta.load[1].toFixed(2)} at the end${meta.load[0] > m.nproc / 2 || meta.load[1] > m.nproc / 2 ? ' — other work was running on the machine, so absolute times are inflated and noisy; the interleaved ratios are the numbers to read' : ''}.`,
    '',
    '| case | fester time | peer | peer time | ratio (fester / peer) | target | met |',
    '|---|---:|---|---:|---:|---:|:---:|',
    ...rows.map((r) => `| ${r.case} | ${secs(r.fester)} | \`${r.peer}\` | ${secs(r.peerTime)} | ${ratioText(r)} | ≤ ${r.target}× | ${r.skipped ? 'skipped' : r.met ? '✅ yes' : '❌ no'} |`),
    '',
    'Times are medians; Fester and its peer were interleaved in the same run. Samples (seconds):',
    '',
    ...rows.map((r) => (r.skipped
      ? `- ${r.case}: skipped — ${r.skipped}`
      : `- ${r.case}: fester ${r.samples.fester.map((s) => s.toFixed(3)).join(', ')}; ${r.peer} ${r.samples.peer.map((s) => s.toFixed(3)).join(', ')}${cpuText(r)}${r.note ? `; ${r.note}` : ''}`)),
    END,
  ];
  return out.join('\n');
}

/** Replace the marked section of the document (or append it when the markers are missing). */
export function rewriteSection(path, section) {
  let text = '';
  try { text = readFileSync(path, 'utf8'); } catch { /* new file */ }
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  const next = a >= 0 && b > a
    ? text.slice(0, a) + section + text.slice(b + END.length)
    : `${text.trimEnd()}${text ? '\n\n' : ''}${section}\n`;
  writeFileSync(path, next);
}
