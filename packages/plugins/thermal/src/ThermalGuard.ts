import type { EventPayload, NodeInfo, TempReading, ThrottleDetail } from '@fester/core';
import { limitsOf, type NodeLimits, type ResolvedThermalOptions } from './options.js';
import { badReadings, hottest } from './sysfs.js';

export type TempState = 'ok' | 'near' | 'hot';

/** What the guard knows about one node after its latest observation. */
export interface NodeThermal {
  state: TempState;
  celsius?: number;
  sensor?: string;
  /** °C per minute, smoothed; positive while heating. */
  trendPerMin: number;
  /** Load has been above the threshold for the whole window: no `parallel: high` actions. */
  sustained: boolean;
  limits: NodeLimits;
}

interface Track extends NodeThermal {
  /** The node snapshot and time of the last observation: asking again at once reads nothing new. */
  seen?: NodeInfo;
  seenAt?: number;
  lastAt?: number;
  lastCelsius?: number;
  loadAbove?: number;
  /** Warning keys already journaled, so a broken sensor is flagged once, not per decision. */
  flagged: Set<string>;
}

export interface GuardIo {
  now(): number;
  /** Journal an event; returns its seq, which later events name as their cause. */
  emit(payload: EventPayload, causes?: number[]): number | void;
  /** Readings of a node: the agent's report, or sysfs for the local node. */
  readings(node: NodeInfo): { readings: readonly TempReading[]; problems?: { sensor: string; path: string; raw: string; message: string }[]; rootMissing?: string };
  /** 1-minute load average and cores, when known. */
  load(node: NodeInfo): { load?: number; cores?: number };
}

/** Smoothing of the temperature trend: a new slope counts for this much. */
const TREND_ALPHA = 0.3;
/** Slopes over shorter gaps are noise (two reads of one heartbeat). */
const TREND_MIN_GAP_MS = 1000;

/**
 * The per-node state machine behind every thermal rule. `hot` at or above the node's max,
 * `near` within `nearCelsius` below it; each state is left only below its threshold minus the
 * hysteresis, so a node hovering at the limit does not flap. Every change is one
 * `node.throttled` / `node.unthrottled` event carrying the reading that caused it.
 */
export class ThermalGuard {
  private readonly nodes = new Map<string, Track>();

  constructor(private readonly opts: ResolvedThermalOptions & { windowMs: number }, private readonly io: GuardIo) {}

  limits(nodeId: string): NodeLimits {
    return this.nodes.get(nodeId)?.limits ?? limitsOf(this.opts, nodeId);
  }

  state(nodeId: string): NodeThermal | undefined {
    return this.nodes.get(nodeId);
  }

  /** Take a node's current reading and load; journal any change of state. `now`: one clock read per decision, not per node. */
  observe(node: NodeInfo, now = this.io.now()): NodeThermal {
    let t = this.nodes.get(node.id);
    if (!t) {
      t = { state: 'ok', trendPerMin: 0, sustained: false, limits: limitsOf(this.opts, node.id), flagged: new Set() };
      this.nodes.set(node.id, t);
    }
    // The same node snapshot (no heartbeat since) within a poll interval has nothing new to
    // say: a 1,000-node decision, or the next ones a millisecond later, reuse the answer.
    if (t.seen === node && t.seenAt !== undefined && now - t.seenAt < this.opts.pollMs) return t;
    t.seen = node;
    t.seenAt = now;
    this.observeTemp(node, t, now);
    if (this.opts.sustainedLoad.enabled) this.observeLoad(node, t, now);
    return t;
  }

  private observeTemp(node: NodeInfo, t: Track, now: number): void {
    const got = this.io.readings(node);
    if (got.rootMissing) this.flag(t, node.id, 'root', { code: 'FE1010', message: `sysfs root ${got.rootMissing} does not exist; the temperature of ${node.id} is unknown (not hot)`, path: got.rootMissing });
    for (const p of got.problems ?? []) this.flag(t, node.id, `p:${p.sensor}:${p.raw}`, { code: 'FE1011', message: p.message, sensor: p.sensor, path: p.path, raw: p.raw });
    for (const r of badReadings(got.readings)) this.flag(t, node.id, `r:${r.sensor}:${r.celsius}`, { code: 'FE1011', message: `sensor ${r.sensor} of ${node.id} reported ${r.celsius}, not a temperature`, sensor: r.sensor, raw: String(r.celsius) });
    const top = hottest(got.readings);
    if (!top) {
      // Unknown is not hot (a VM without sensors must still build), but it is said once.
      if (!got.rootMissing) this.flag(t, node.id, 'none', { code: 'FE1012', message: `no usable temperature reading for ${node.id}; it counts as not hot` });
      t.celsius = undefined; t.sensor = undefined;
      this.move(node, t, 'ok');
      return;
    }
    t.flagged.delete('none');
    if (t.lastAt !== undefined && t.lastCelsius !== undefined && now - t.lastAt >= TREND_MIN_GAP_MS) {
      const slope = ((top.celsius - t.lastCelsius) / (now - t.lastAt)) * 60_000;
      t.trendPerMin = TREND_ALPHA * slope + (1 - TREND_ALPHA) * t.trendPerMin;
      t.lastAt = now; t.lastCelsius = top.celsius;
    } else if (t.lastAt === undefined) { t.lastAt = now; t.lastCelsius = top.celsius; }
    t.celsius = top.celsius; t.sensor = top.sensor;
    this.move(node, t, this.nextState(t, top.celsius));
  }

  /** Enter a state at its threshold; leave it only below threshold − hysteresis. */
  private nextState(t: Track, c: number): TempState {
    const { maxCelsius: max, hysteresis: h, nearCelsius: near } = t.limits;
    if (c >= max) return 'hot';
    if (t.state === 'hot' && c >= max - h) return 'hot';
    if (c >= max - near) return 'near';
    if (t.state !== 'ok' && c >= max - near - h) return 'near';
    return 'ok';
  }

  private move(node: NodeInfo, t: Track, to: TempState): void {
    const from = t.state;
    if (from === to) return;
    t.state = to;
    const { maxCelsius: max, hysteresis: h, nearCelsius: near } = t.limits;
    const reading = { ...(t.celsius !== undefined ? { celsius: round(t.celsius) } : {}), ...(t.sensor ? { sensor: t.sensor } : {}), maxCelsius: max };
    const nearSlots = this.nearSlots(node, t);
    // The reading that moved the node is journaled on its own, as the cause of what follows.
    const seq = this.io.emit({ type: 'node.temperature', node: node.id, ...reading, state: to, previous: from });
    const causes = typeof seq === 'number' ? [seq] : undefined;
    // One temperature rule holds at a time: the old one is closed, then the new one opened, so
    // every node.throttled has its node.unthrottled and each rule's story reads on its own.
    if (from === 'hot') this.io.emit({ type: 'node.unthrottled', node: node.id, rule: 'max', ...reading, releaseCelsius: max - h }, causes);
    if (from === 'near') this.io.emit({ type: 'node.unthrottled', node: node.id, rule: 'near', ...reading, releaseCelsius: max - near - h }, causes);
    if (to === 'hot') this.io.emit({ type: 'node.throttled', node: node.id, rule: 'max', ...reading, releaseCelsius: max - h }, causes);
    if (to === 'near') this.io.emit({ type: 'node.throttled', node: node.id, rule: 'near', ...reading, releaseCelsius: max - near - h, slots: nearSlots }, causes);
  }

  private observeLoad(node: NodeInfo, t: Track, now: number): void {
    const { load, cores } = this.io.load(node);
    if (load === undefined || !Number.isFinite(load) || !cores) return;
    const { factor, release } = this.opts.sustainedLoad;
    const threshold = cores * factor;
    const detail: ThrottleDetail = { node: node.id, rule: 'sustained-load', load: round(load), cores, windowMs: this.opts.windowMs };
    if (load > threshold) {
      t.loadAbove ??= now;
      if (!t.sustained && now - t.loadAbove >= this.opts.windowMs) {
        t.sustained = true;
        this.io.emit({ type: 'node.throttled', ...detail });
      }
    } else if (load < threshold * release || !t.sustained) {
      // Between release and threshold a sustained node stays so; an unsustained one restarts its window.
      t.loadAbove = undefined;
      if (t.sustained) {
        t.sustained = false;
        this.io.emit({ type: 'node.unthrottled', ...detail });
      }
    }
  }

  /** Slots a `near` node may fill: a share of its slots, at least one. */
  nearSlots(node: NodeInfo, t: NodeThermal = this.observe(node)): number {
    const slots = Math.min(node.slots, node.production?.slots ?? Infinity);
    return Math.max(1, Math.floor(slots * t.limits.nearSlotsFactor));
  }

  private flag(t: Track, node: string, key: string, w: { code: string; message: string; sensor?: string; path?: string; raw?: string }): void {
    if (t.flagged.has(key)) return;
    t.flagged.add(key);
    this.io.emit({ type: 'thermal.warning', node, ...w });
  }
}

const round = (x: number) => Math.round(x * 10) / 10;
