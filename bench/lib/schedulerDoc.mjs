import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_DIR, WORK_DIR } from './paths.mjs';

const START = '<!-- scheduler-bench:start -->';
const END = '<!-- scheduler-bench:end -->';
export const RESULTS = join(WORK_DIR, 'scheduler', 'results.json');
const DOC = join(REPO_DIR, 'docs', 'scheduler.md');

const s1 = (ms) => `${(ms / 1000).toFixed(1)} s`;
const pct = (x) => `${(x * 100).toFixed(1)} %`;
const yes = (ok) => (ok ? '✅ yes' : '❌ no');

/**
 * The measured numbers of the scheduler case as the marked section of docs/scheduler.md: the
 * targets, then one table per mode. Only what results.json holds is written.
 */
export function schedulerSection(r, meta) {
  const { latency, sims, unaware, cold } = r;
  const u = sims.unified;
  const th = sims.thermal;
  const ice = sims['fastest-free'];
  const gain = 1 - u.makespanMs / ice.makespanMs;
  const out = [
    START,
    `_Written by \`node bench/run.mjs --case scheduler\` on ${meta.date} (commit ${meta.commit}); ${meta.machine}. Do not edit by hand._`,
    '',
    '| target | measured | met |',
    '|---|---:|:---:|',
    `| decision p99 at 1,000 nodes × 10,000 ready actions ≤ 1 ms (unified; the CLI's default plugins: thermal, replay recorder) | wall ${latency.unified.p99Ms} ms (p50 ${latency.unified.p50Ms} ms)${latency.unified.cpuP99Ms !== undefined ? `; CPU time ${latency.unified.cpuP99Ms} ms (p50 ${latency.unified.cpuP50Ms} ms)` : ''} | ${yes(latency.unified.p99Ms <= 1)} |`,
    `| 50-node mixed farm: makespan / lower bound ≤ 1.10 (unified, farm history of one earlier build) | ${u.ratio.toFixed(3)} (${s1(u.makespanMs)} / ${s1(u.lowerBoundMs)}) | ${yes(u.ratio <= 1.1)} |`,
    `| gain over icecream-like ≥ 20 % (unified) | ${pct(gain)} (${s1(u.makespanMs)} vs ${s1(ice.makespanMs)}) | ${yes(gain >= 0.2)} |`,
    `| thermal vs unaware: throttled time −50 % | ${pct(th.throttledMs / Math.max(1, unaware.throttledMs) - 1)} (${s1(th.throttledMs)} vs ${s1(unaware.throttledMs)}) | ${yes(th.throttledMs <= unaware.throttledMs / 2)} |`,
    `| thermal vs unaware: makespan cost ≤ 5 % | ${pct(th.makespanMs / unaware.makespanMs - 1)} (${s1(th.makespanMs)} vs ${s1(unaware.makespanMs)}) | ${yes(th.makespanMs <= unaware.makespanMs * 1.05)} |`,
    '',
    `Every simulation below runs after ${u.warm ?? 0} warm-up run of the trace whose scheduler history it starts from (\`--warm\`; the baselines keep none, and icecream-like is given every node's true speed). "Unaware" is \`unified\` without the thermal plugin (\`--no-thermal-guard\`). The lower bound assumes every node at full speed, so on a farm whose boards must throttle or be spared no schedule reaches it.`,
    ...(cold ? ['', `A first build (no history, \`unified\`): makespan ${s1(cold.makespanMs)}, ratio ${cold.ratio.toFixed(3)}, ${pct(1 - cold.makespanMs / ice.makespanMs)} faster than icecream-like.`] : []),
    '',
  ];
  const modes = Object.keys(sims);
  for (const m of modes) {
    const x = sims[m];
    const l = latency[m];
    out.push(`### ${m}${m === 'round-robin' ? ' (distcc-like baseline)' : m === 'fastest-free' ? ' (icecream-like baseline)' : ''}`, '',
      '| makespan | ratio to lower bound | utilisation | throttled node time | dispatches above max | transfer | duplicates (won) | decision p50 / p99 at 1,000 nodes |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|',
      `| ${s1(x.makespanMs)} | ${x.ratio.toFixed(3)} | ${pct(x.utilisation)} | ${s1(x.throttledMs)} | ${x.dispatchesAboveThreshold} of ${x.dispatches} | ${(x.transferBytes / 1e6).toFixed(0)} MB | ${x.speculations} (${x.speculationWins}) | ${l ? `${l.p50Ms} / ${l.p99Ms} ms wall${l.cpuP99Ms !== undefined ? `, ${l.cpuP50Ms} / ${l.cpuP99Ms} ms CPU` : ''}` : '—'} |`, '');
  }
  out.push(`Unaware run (unified, no thermal plugin): makespan ${s1(unaware.makespanMs)}, ratio ${unaware.ratio.toFixed(3)}, throttled ${s1(unaware.throttledMs)}, ${unaware.dispatchesAboveThreshold} dispatches above max.`, END);
  return out.join('\n');
}

export function writeSchedulerDoc(meta) {
  const r = JSON.parse(readFileSync(RESULTS, 'utf8'));
  const text = readFileSync(DOC, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${DOC} lacks the ${START} … ${END} markers`);
  writeFileSync(DOC, text.slice(0, a) + schedulerSection(r, meta) + text.slice(b + END.length));
}

// `node bench/lib/schedulerDoc.mjs "<date>" "<commit>" "<machine>"`: rewrite the section from the last results.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [date, commit, machine] = process.argv.slice(2);
  writeSchedulerDoc({ date: date ?? new Date().toISOString(), commit: commit ?? '?', machine: machine ?? 'machine not given' });
}
