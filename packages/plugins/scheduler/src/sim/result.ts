import type { LowerBound } from './lowerBound.js';
import type { SimNode } from './SimNode.js';

/** What one simulated run reports. Everything but `timing` is deterministic for a seed. */
export interface SimResult {
  mode: string;
  seed: number;
  trace: string;
  farm: string;
  /** Runs of the same trace before this one whose history the scheduler started from. */
  warm?: number;
  actions: number;
  nodes: number;
  makespanMs: number;
  lowerBoundMs: number;
  criticalPathMs: number;
  workOverCapacityMs: number;
  /** makespan / lower bound (1 is optimal). */
  ratio: number;
  /** Slot time spent computing over slot time the nodes were up, until the makespan. */
  utilisation: number;
  /** Node time spent at or above the node's max temperature (hardware throttling), summed over nodes. */
  throttledMs: number;
  /** Input blobs sent to nodes plus outputs sent back. */
  transferBytes: number;
  inputBytes: number;
  outputBytes: number;
  dispatches: number;
  /** Dispatches to a node that was at or above its max at that moment (thermal mode: must be 0). */
  dispatchesAboveThreshold: number;
  throttleEvents: number;
  speculations: number;
  speculationWins: number;
  /** Actions lost to a dropout and run again. */
  requeued: number;
  perNode: { id: string; dispatches: number; busyMs: number; throttledMs: number; peakCelsius?: number }[];
  /** Wall-clock cost of the schedule hook per decision (not deterministic). */
  timing: { decisions: number; meanMs: number; p99Ms: number };
}

interface SimView {
  now: number;
  counters: { dispatches: number; aboveThreshold: number; speculations: number; speculationWins: number; requeued: number; inputBytes: number; outputBytes: number; throttleEvents: number; decisions: number };
  decisionMs: number[];
}

export function percentile(xs: readonly number[], p: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

export function summarise(sim: SimView, o: { trace: { name?: string; actions: unknown[] }; farm: { name?: string }; mode: string; seed?: number }, nodes: SimNode[], lb: LowerBound): SimResult {
  const c = sim.counters;
  const slotMs = nodes.reduce((s, n) => s + n.spec.slots * n.upMs, 0);
  const busy = nodes.reduce((s, n) => s + n.busySlotMs, 0);
  const makespan = sim.now;
  return {
    mode: o.mode, seed: o.seed ?? 0, trace: o.trace.name ?? 'trace', farm: o.farm.name ?? 'farm',
    actions: o.trace.actions.length, nodes: nodes.length,
    makespanMs: r1(makespan), lowerBoundMs: r1(lb.ms), criticalPathMs: r1(lb.criticalPathMs), workOverCapacityMs: r1(lb.workOverCapacityMs),
    ratio: r4(lb.ms > 0 ? makespan / lb.ms : 1),
    utilisation: r4(slotMs > 0 ? busy / slotMs : 0),
    throttledMs: r1(nodes.reduce((s, n) => s + n.throttledMs, 0)),
    transferBytes: c.inputBytes + c.outputBytes, inputBytes: c.inputBytes, outputBytes: c.outputBytes,
    dispatches: c.dispatches, dispatchesAboveThreshold: c.aboveThreshold, throttleEvents: c.throttleEvents,
    speculations: c.speculations, speculationWins: c.speculationWins, requeued: c.requeued,
    perNode: nodes.map((n) => ({ id: n.spec.id, dispatches: n.dispatches, busyMs: r1(n.busySlotMs), throttledMs: r1(n.throttledMs), ...(n.spec.thermal ? { peakCelsius: r1(n.peakCelsius) } : {}) })),
    timing: { decisions: c.decisions, meanMs: r4(sim.decisionMs.reduce((s, x) => s + x, 0) / Math.max(1, sim.decisionMs.length)), p99Ms: r4(percentile(sim.decisionMs, 99)) },
  };
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

/** The human report of `fester simulate`. */
export function formatResult(r: SimResult): string {
  return [
    `${r.mode} on ${r.farm} (${r.nodes} nodes), trace ${r.trace} (${r.actions} actions), seed ${r.seed}${r.warm ? `, after ${r.warm} warm-up run${r.warm > 1 ? 's' : ''} (history carried over)` : ''}`,
    `  makespan      ${secs(r.makespanMs)}   lower bound ${secs(r.lowerBoundMs)} (critical path ${secs(r.criticalPathMs)}, work/capacity ${secs(r.workOverCapacityMs)})   ratio ${r.ratio.toFixed(3)}`,
    `  utilisation   ${(r.utilisation * 100).toFixed(1)} %`,
    `  throttled     ${secs(r.throttledMs)} node time above max; ${r.dispatchesAboveThreshold} of ${r.dispatches} dispatches to a node at or above its max; ${r.throttleEvents} throttle events`,
    `  transfer      ${mb(r.transferBytes)} (inputs ${mb(r.inputBytes)}, outputs ${mb(r.outputBytes)})`,
    `  speculation   ${r.speculations} duplicates, ${r.speculationWins} finished first;  dropouts re-queued ${r.requeued}`,
    `  decisions     ${r.timing.decisions}, mean ${r.timing.meanMs.toFixed(3)} ms, p99 ${r.timing.p99Ms.toFixed(3)} ms (wall clock)`,
  ].join('\n') + '\n';
}

/** One row per run: the `--compare` table. */
export function formatTable(rows: SimResult[]): string {
  const head = ['mode', 'makespan', 'ratio', 'util', 'throttled', 'above max', 'transfer', 'spec'];
  const body = rows.map((r) => [r.mode, secs(r.makespanMs), r.ratio.toFixed(3), `${(r.utilisation * 100).toFixed(1)}%`, secs(r.throttledMs), String(r.dispatchesAboveThreshold), mb(r.transferBytes), String(r.speculations)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(w[i]!)).join('  ');
  return `${[line(head), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(line)].join('\n')}\n`;
}
