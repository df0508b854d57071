import type { NodeInfo } from '@fester/core';
import type { FarmNode } from './formats.js';
import { tieBreak } from '../tieBreak.js';
import { stepTemp, timeAbove } from './thermalModel.js';

/** One action running (or fetching its inputs) on one simulated node. */
export interface Run {
  action: number;
  node: SimNode;
  /** Input transfer still to go, ms (wall time: not affected by the node's speed or heat). */
  transferLeft: number;
  /** Reference work still to do, ms at speed 1. */
  workLeft: number;
  /** Per-run slowdown (log-normal jitter); 1 = exact. */
  jitter: number;
  /** Heat and load it causes, in slots (a `parallel: high` link uses several cores). */
  heat: number;
  startedAt: number;
  computeStartedAt?: number;
  duplicate: boolean;
}

/** A 1-minute load average, as the kernel smooths it. */
const LOAD_TAU_MS = 60_000;

/**
 * The state of one node over simulated time: its runs, temperature, the blobs its CAS holds,
 * load average and the counters the report is made of. `advance` is exact for an interval in
 * which nothing is dispatched or finishes (the engine only advances between events).
 */
export class SimNode {
  up = true;
  temp: number;
  load = 0;
  readonly runs: Run[] = [];
  readonly blobs = new Set<string>();
  busySlotMs = 0;
  upMs = 0;
  throttledMs = 0;
  peakCelsius: number;
  dispatches = 0;
  private snapshot?: NodeInfo;

  constructor(readonly spec: FarmNode, readonly index: number) {
    this.temp = spec.thermal ? (spec.thermal.startCelsius ?? spec.thermal.ambientCelsius) : Number.NaN;
    this.peakCelsius = this.temp;
  }

  get maxCelsius(): number { return this.spec.thermal?.maxCelsius ?? Infinity; }
  /** Above its max the hardware throttles: everything it computes slows down. */
  get throttled(): boolean { return this.temp >= this.maxCelsius; }

  /** Work per ms of one computing run now. */
  speedOf(run: Run): number {
    const m = this.spec.thermal;
    return (this.spec.speed * (m && this.throttled ? m.throttleFactor : 1)) / run.jitter;
  }

  /**
   * Runs beyond the slots wait in the node's queue (first come, first run). A queued run
   * fetches its inputs meanwhile (why the farm queues a lease per node) but computes only once
   * it holds a slot.
   */
  active(run: Run): boolean {
    const i = this.runs.indexOf(run);
    return i >= 0 && i < this.spec.slots;
  }

  /** Time until the run's next phase change (transfer done, or finished) at today's speed. */
  nextChange(run: Run): number {
    if (run.transferLeft > 0) return run.transferLeft;
    return this.active(run) ? run.workLeft / this.speedOf(run) : Infinity;
  }

  advance(dt: number): void {
    if (dt <= 0) return;
    const active = this.runs.slice(0, this.spec.slots);
    const computing = active.filter((r) => r.transferLeft <= 0);
    const heat = computing.reduce((s, r) => s + r.heat, 0);
    const u = Math.min(1, heat / this.spec.slots);
    for (const r of computing) r.workLeft = Math.max(0, r.workLeft - dt * this.speedOf(r));
    // Snapped to 0 within a microsecond: at a clock of 10⁵ ms a smaller step would not move time at all.
    for (const r of this.runs) if (r.transferLeft > 0) r.transferLeft = r.transferLeft - dt <= 1e-3 ? 0 : r.transferLeft - dt;
    this.busySlotMs += computing.length * dt;
    if (this.up) this.upMs += dt;
    const running = active.reduce((s, r) => s + r.heat, 0);
    this.load = running + (this.load - running) * Math.exp(-dt / LOAD_TAU_MS);
    const m = this.spec.thermal;
    if (m) {
      this.throttledMs += timeAbove(m, this.temp, u, dt);
      const next = stepTemp(m, this.temp, u, dt);
      // The peak of a monotonic approach is at one end of the interval.
      this.peakCelsius = Math.max(this.peakCelsius, next);
      this.temp = next;
    }
    this.snapshot = undefined;
  }

  changed(): void { this.snapshot = undefined; }

  /** The node as the scheduler sees it: what an agent's heartbeat would report. */
  info(): NodeInfo {
    if (this.snapshot) return this.snapshot;
    const s = this.spec;
    this.snapshot = {
      id: s.id, kind: s.kind, arch: s.arch, slots: s.slots, targets: s.targets, labels: s.labels,
      state: this.up ? 'ready' : 'down', ...(this.up ? {} : { stateReason: 'dropout' }),
      ...(s.policy ? { policy: s.policy } : {}),
      cores: s.slots, load: Math.round(this.load * 100) / 100, running: this.runs.length, queue: s.queue,
      temps: s.thermal ? [{ sensor: 'sim', celsius: Math.round(this.temp * 10) / 10 }] : [],
    };
    return this.snapshot;
  }
}

/** A standard normal draw that depends only on (seed, action, node): a run's jitter is reproducible in any order. */
export function gaussian(seed: number, action: string, node: string): number {
  const u1 = Math.max(1e-12, tieBreak(seed, action, node));
  const u2 = tieBreak(seed + 1, action, node);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
