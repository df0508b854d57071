#!/usr/bin/env node
/**
 * `npm run bench`: Fester against make, ccache and ninja on the same commands, in one run.
 *   node bench/run.mjs [--case clean,zlib,cached,noop] [--reps N] [-j N] [--fresh] [--no-doc]
 * Prints the ratios; a full run (every case, or any cases with --doc) also rewrites the rows of
 * the cases it ran in the marked section of docs/performance.md (the others stay). --fresh rebuilds the no-op case's kept 10k-action trees.
 */
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import api from './cases/api.mjs';
import cached from './cases/cached.mjs';
import clean from './cases/clean.mjs';
import farm from './cases/farm.mjs';
import noop from './cases/noop.mjs';
import s3 from './cases/s3.mjs';
import scheduler from './cases/scheduler.mjs';
import watch from './cases/watch.mjs';
import zlib from './cases/zlib.mjs';
import { machine } from './lib/machine.mjs';
import { FESTER_BIN, PERF_DOC, REPO_DIR } from './lib/paths.mjs';
import { have } from './lib/proc.mjs';
import { finish, markdownSection, mergeResults, readResults, rewriteSection, textTable } from './lib/report.mjs';

const CASES = [clean, zlib, cached, noop, s3, watch, farm, api, scheduler];

const { values } = parseArgs({
  options: {
    case: { type: 'string', multiple: true },
    reps: { type: 'string' },
    jobs: { type: 'string', short: 'j' },
    fresh: { type: 'boolean', default: false },
    'no-doc': { type: 'boolean', default: false },
    doc: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`usage: node bench/run.mjs [--case ${CASES.map((c) => c.name).join(',')}] [--reps N] [-j N] [--fresh] [--no-doc|--doc]`);
  process.exit(0);
}
const wanted = (values.case ?? []).flatMap((c) => c.split(',')).filter(Boolean);
const unknown = wanted.filter((w) => !CASES.some((c) => c.name === w));
if (unknown.length) {
  console.error(`unknown case ${unknown.join(', ')}; cases: ${CASES.map((c) => c.name).join(', ')}`);
  process.exit(2);
}
const selected = wanted.length ? CASES.filter((c) => wanted.includes(c.name)) : CASES;
if (!existsSync(FESTER_BIN)) {
  console.error(`${FESTER_BIN} is missing: run \`npx tsc -b\` first (npm run bench does)`);
  process.exit(2);
}
for (const tool of ['gcc', 'ar', 'make', 'ninja', 'ccache']) {
  if (!have(tool)) {
    console.error(`${tool} is not on PATH: apt-get install ${tool === 'ninja' ? 'ninja-build' : tool}`);
    process.exit(2);
  }
}

const t0 = Date.now();
const ctx = {
  jobs: values.jobs ? Number(values.jobs) : availableParallelism(),
  reps: values.reps ? Number(values.reps) : undefined,
  fresh: values.fresh,
  log: (s) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}`),
};
const m = machine();
const loadBefore = loadavg()[0];
ctx.log(`machine: ${m.nproc} CPUs, ${m.cpu}, load ${loadBefore.toFixed(2)}; -j ${ctx.jobs}; cases: ${selected.map((c) => c.name).join(', ')}`);

const rows = [];
let failed = false;
for (const c of selected) {
  ctx.log(`case ${c.name}`);
  try {
    // Cases may be async (watch drives a long-running `fester watch`).
    rows.push(...(await c.run(ctx)).map((r) => ({ ...r, key: c.name })));
  } catch (e) {
    failed = true;
    console.error(`case ${c.name} failed: ${e instanceof Error ? e.message : e}`);
  }
}

const done = finish(rows);
console.log(`\n${textTable(done)}\n`);
const totalMinutes = (Date.now() - t0) / 60000;
console.log(`ratio = fester time / peer time (median of interleaved repetitions); total ${totalMinutes.toFixed(1)} min`);

if (!values['no-doc'] && !failed && (selected.length === CASES.length || values.doc)) {
  const git = (args) => execSync(`git ${args}`, { cwd: REPO_DIR, encoding: 'utf8' }).trim();
  // The numbers belong to the working tree that was built, which may be ahead of HEAD.
  const commit = `${git('rev-parse --short HEAD')}${git('status --porcelain -- packages') ? ' + uncommitted changes in packages/' : ''}`;
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const load = [loadBefore, loadavg()[0]];
  const results = mergeResults(readResults(PERF_DOC), done, m, { date, commit, jobs: ctx.jobs, load });
  rewriteSection(PERF_DOC, markdownSection(results, CASES.map((c) => c.name)));
  console.log(`wrote ${PERF_DOC}`);
} else if (!values['no-doc']) {
  console.log(`docs/performance.md left as it was (${failed ? 'a case failed' : 'only some cases ran'})`);
}
process.exit(failed ? 1 : 0);
