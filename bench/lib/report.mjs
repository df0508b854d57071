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

const DATA = /<!-- bench:data (.*?) -->/s;

/**
 * The stored results: one entry per case, each with the run that measured it (a run of some
 * cases replaces only theirs, so `--case x --doc` never drops the others' numbers).
 */
export function readResults(path) {
  let text = '';
  try { text = readFileSync(path, 'utf8'); } catch { return { cases: {} }; }
  const m = DATA.exec(text);
  return m ? JSON.parse(m[1]) : { cases: {} };
}

/** Merge this run's rows (each carrying `key`, its case name) into the stored results. */
export function mergeResults(old, rows, m, meta) {
  const cases = { ...old.cases };
  for (const key of new Set(rows.map((r) => r.key))) {
    cases[key] = { rows: rows.filter((r) => r.key === key).map(({ key: _k, ...r }) => r), run: { ...meta, machine: m } };
  }
  return { cases };
}

const runText = (run) => {
  const m = run.machine;
  const busy = run.load[0] > m.nproc / 2 || run.load[1] > m.nproc / 2;
  return `${run.date}, commit ${run.commit}, ${m.nproc} CPUs ${m.cpu}, -j ${run.jobs}, load ${run.load[0].toFixed(2)}→${run.load[1].toFixed(2)}${busy ? ' (a busy machine: absolute times inflated, ratios still interleaved)' : ''}`;
};

/** The markdown section: the table of every case, when and on what each was measured, the raw samples. */
export function markdownSection(results, order) {
  const keys = Object.keys(results.cases).sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
  const all = keys.flatMap((k) => results.cases[k].rows);
  const tools = results.cases[keys[0]]?.run.machine;
  const out = [
    START,
    '_Written by `npm run bench` (`--case x --doc` rewrites only the rows of x). Do not edit by hand._',
    '',
    ...(tools ? [`**Tools:** Node ${tools.node}, gcc ${tools.gcc}, ${tools.make}, ninja ${tools.ninja}, ${tools.ccache}; ${tools.memGiB} GiB RAM.`, ''] : []),
    '| case | fester time | peer | peer time | ratio (fester / peer) | target | met |',
    '|---|---:|---|---:|---:|---:|:---:|',
    ...all.map((r) => `| ${r.case} | ${secs(r.fester)} | \`${r.peer}\` | ${secs(r.peerTime)} | ${ratioText(r)} | ≤ ${r.target}× | ${r.skipped ? 'skipped' : r.met ? '✅ yes' : '❌ no'} |`),
    '',
    'Times are medians; Fester and its peer were interleaved in the same run. Per case, the run that measured it and the samples (seconds):',
    '',
    ...keys.flatMap((k) => [
      `- **${k}** — ${runText(results.cases[k].run)}`,
      ...results.cases[k].rows.map((r) => (r.skipped
        ? `  - ${r.case}: skipped — ${r.skipped}`
        : `  - ${r.case}: fester ${r.samples.fester.map((x) => x.toFixed(3)).join(', ')}; ${r.peer} ${r.samples.peer.map((x) => x.toFixed(3)).join(', ')}${cpuText(r)}${r.note ? `; ${r.note}` : ''}`)),
    ]),
    '',
    `<!-- bench:data ${JSON.stringify(results)} -->`,
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
