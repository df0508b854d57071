import type { NodeInfo } from '@fester/core';

/**
 * The thermal plugin's view, typed here by shape: the plugin publishes it on the Compiler under
 * `Symbol.for('fester.thermal.view')`; this package does not import the thermal plugin.
 */
export interface ThermalViewLike {
  maxCelsius(nodeId: string): number;
  reading(node: NodeInfo): { celsius?: number; trendPerMin: number; state: string; sustained?: boolean };
}

export const THERMAL_VIEW = Symbol.for('fester.thermal.view');

export function thermalViewOf(compiler: object): ThermalViewLike | undefined {
  return (compiler as Record<symbol, ThermalViewLike | undefined>)[THERMAL_VIEW];
}

export interface ThermalSignal {
  celsius?: number;
  maxCelsius: number;
  trendPerMin: number;
}

/**
 * Temperature, limit and trend of a node for the thermal mode's scorers. With the thermal
 * plugin: its per-node limits and smoothed trend (and the local node's sysfs). Without it: the
 * hottest agent-reported sensor, the default limit, and a trend from consecutive readings.
 */
export class ThermalSignals {
  private readonly last = new Map<string, { at: number; c: number; trend: number }>();
  /** One signal object per node, refilled once per decision (headroom and trend both ask). */
  private readonly signals = new Map<string, ThermalSignal & { decision: number }>();
  private decision = 0;

  constructor(private readonly view: () => ThermalViewLike | undefined, private readonly defaultMax: number, private readonly now: () => number) {}

  /** A new decision: readings may have changed since the last one. */
  reset(): void {
    this.decision++;
  }

  of(node: NodeInfo): ThermalSignal {
    let s = this.signals.get(node.id);
    if (s && s.decision === this.decision) return s;
    if (!s) this.signals.set(node.id, (s = { maxCelsius: this.defaultMax, trendPerMin: 0, decision: 0 }));
    s.decision = this.decision;
    this.fill(node, s);
    return s;
  }

  private fill(node: NodeInfo, s: ThermalSignal): void {
    const v = this.view();
    if (v) {
      const r = v.reading(node);
      s.maxCelsius = v.maxCelsius(node.id);
      s.trendPerMin = r.trendPerMin;
      s.celsius = r.celsius;
      return;
    }
    let c: number | undefined;
    for (const t of node.temps ?? []) if (Number.isFinite(t.celsius) && t.celsius > -40 && t.celsius < 150 && (c === undefined || t.celsius > c)) c = t.celsius;
    s.maxCelsius = this.defaultMax;
    s.celsius = c;
    if (c === undefined) { s.trendPerMin = 0; return; }
    const t = this.now();
    const prev = this.last.get(node.id);
    let trend = prev?.trend ?? 0;
    if (prev && t - prev.at >= 1000) trend = 0.3 * (((c - prev.c) / (t - prev.at)) * 60_000) + 0.7 * trend;
    if (!prev || t - prev.at >= 1000) this.last.set(node.id, { at: t, c, trend });
    s.trendPerMin = trend;
  }
}
