import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { machine } from '../lib/machine.mjs';
import { FESTER_BIN, REPO_DIR, WORK_DIR } from '../lib/paths.mjs';
import { writeSchedulerDoc } from '../lib/schedulerDoc.mjs';
import { run } from '../lib/proc.mjs';

const NODES = 50;
const ACTIONS = 10_000;
/** Heavy translation units (×4 the generator's C-file runtimes): long enough for ARM boards to heat. */
const SCALE = 4;
const SEED = 1;
/** Simulated builds of the trace before the measured one (history carried over, as a farm keeps history.json). */
const WARM = 1;
const MODES = ['unified', 'thermal', 'cache-first', 'target-isolated', 'intelligence'];

const fester = (args, cwd) => run(process.execPath, [FESTER_BIN, ...args], { cwd });
const simulate = (args, cwd) => JSON.parse(fester(['simulate', '--trace', 'trace.json', '--farm', 'farm.json', '--seed', String(SEED), '--json', ...args], cwd).stdout);

/**
 * Case scheduler: the issue's four scheduler targets, each measured, none assumed.
 * - Decision cost: the core's chooseNode (core eligibility, mode, thermal plugin, decision
 *   record, the replay recorder, `action.scheduled`) over 1,000 nodes for 10,000 ready
 *   actions, p99 of the per-decision wall time.
 * - On a 50-node mixed farm (3 x86_64 speeds, hot aarch64 boards) and a 10,000-action
 *   two-target trace: `fester simulate` (the CLI, so these numbers are what a user reproduces
 *   with the same seed) for every mode and both baselines; makespan over the lower bound and
 *   the gain over the icecream-like baseline; thermal mode against a thermal-unaware run
 *   (unified without the thermal plugin): throttled node time and makespan cost.
 * Rows use the suite's shape: ratio = "fester" / "peer", met when ≤ target. Every run's full
 * result is kept in bench/.work/scheduler/results.json for docs/scheduler.md.
 */
export default {
  name: 'scheduler',
  reps: 1,
  async run(ctx) {
    const dir = join(WORK_DIR, 'scheduler');
    mkdirSync(dir, { recursive: true });
    fester(['trace', 'generate', 'mixed', '--actions', String(ACTIONS), '--seed', String(SEED), '--scale', String(SCALE), '--out', 'trace.json'], dir);
    fester(['trace', 'generate', 'farm', '--nodes', String(NODES), '--seed', String(SEED), '--out', 'farm.json'], dir);

    const { decisionLatency } = await import('@fester/plugin-scheduler/sim');
    const { default: thermal } = await import('@fester/plugin-thermal');
    // The CLI's default recorder too: every decision of a real build pays for its replay record.
    const { replayRecorder } = await import(pathToFileURL(join(REPO_DIR, 'packages/cli/dist/replay/recorder.js')).href);
    const latency = {};
    for (const mode of MODES) {
      latency[mode] = decisionLatency({ nodes: 1000, actions: 10_000, mode, seed: SEED, plugins: [thermal(), replayRecorder()] });
      ctx.log(`scheduler: decision ${mode} at 1,000 nodes: wall p50 ${latency[mode].p50Ms} ms, p99 ${latency[mode].p99Ms} ms; CPU p50 ${latency[mode].cpuP50Ms} ms, p99 ${latency[mode].cpuP99Ms} ms`);
    }

    // A farm that built the project once before (its history.json): the runtime of each action is known.
    const sims = {};
    for (const mode of [...MODES, 'round-robin', 'fastest-free']) {
      sims[mode] = simulate(['--mode', mode, '--warm', String(WARM)], dir);
      ctx.log(`scheduler: ${mode}: makespan ${(sims[mode].makespanMs / 1000).toFixed(1)} s (ratio ${sims[mode].ratio}), throttled ${(sims[mode].throttledMs / 1000).toFixed(0)} s, ${sims[mode].dispatchesAboveThreshold} dispatches above max`);
    }
    const unaware = simulate(['--mode', 'unified', '--no-thermal-guard', '--warm', String(WARM)], dir);
    // And a first build: no runtime per action yet, only what is learned as it goes.
    const cold = simulate(['--mode', 'unified'], dir);
    ctx.log(`scheduler: unified on a first build (no history): makespan ${(cold.makespanMs / 1000).toFixed(1)} s (ratio ${cold.ratio})`);
    ctx.log(`scheduler: unified without the thermal plugin: makespan ${(unaware.makespanMs / 1000).toFixed(1)} s, throttled ${(unaware.throttledMs / 1000).toFixed(0)} s`);
    writeFileSync(join(dir, 'results.json'), `${JSON.stringify({ latency, sims, unaware, cold }, null, 1)}\n`);
    if (!process.argv.includes('--no-doc')) {
      const m = machine();
      const commit = execSync('git rev-parse --short HEAD', { cwd: REPO_DIR, encoding: 'utf8' }).trim();
      writeSchedulerDoc({ date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), commit, machine: `${m.nproc} CPUs, ${m.cpu}, Node ${m.node}, load average ${loadavg()[0].toFixed(2)} at the end (other work shares the machine: timings are inflated)` });
      ctx.log('scheduler: wrote the measured tables into docs/scheduler.md');
    }

    const s = (ms) => ms / 1000;
    const u = sims.unified;
    const th = sims.thermal;
    const ice = sims['fastest-free'];
    const row = (name, fester, peer, peerTime, target, note) => ({ case: `scheduler: ${name}`, fester, peer, peerTime, target, samples: { fester: [fester], peer: [peerTime] }, note });
    return [
      row('decision p99, 1,000 nodes × 10,000 ready (unified)', s(latency.unified.p99Ms), 'target 1 ms', 0.001, 1, `p50 ${latency.unified.p50Ms} ms; CPU time p50 ${latency.unified.cpuP50Ms} ms, p99 ${latency.unified.cpuP99Ms} ms; wall p99 per mode: ${MODES.map((m) => `${m} ${latency[m].p99Ms} ms`).join(', ')}`),
      row('50-node mixed makespan / lower bound (unified)', s(u.makespanMs), 'lower bound', s(u.lowerBoundMs), 1.1, `best mode ${bestMode(sims)}; ratios ${MODES.map((m) => `${m} ${sims[m].ratio}`).join(', ')}`),
      row('50-node mixed makespan vs icecream-like (unified)', s(u.makespanMs), 'fastest-free', s(ice.makespanMs), 0.8, `round-robin (distcc-like) ${s(sims['round-robin'].makespanMs).toFixed(1)} s`),
      row('throttled node time, thermal vs unaware', s(th.throttledMs), 'unified, no thermal plugin', s(unaware.throttledMs), 0.5, `dispatches above max: thermal ${th.dispatchesAboveThreshold}, unaware ${unaware.dispatchesAboveThreshold}`),
      row('makespan, thermal vs unaware', s(th.makespanMs), 'unified, no thermal plugin', s(unaware.makespanMs), 1.05),
    ];
  },
};

function bestMode(sims) {
  return MODES.reduce((a, b) => (sims[b].makespanMs < sims[a].makespanMs ? b : a));
}
