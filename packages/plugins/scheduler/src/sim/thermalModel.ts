import type { ThermalModel } from './formats.js';

/**
 * First-order thermal model of a node: with a share `u` of its slots computing, it settles at
 * ambient + risePerLoad · u and approaches that exponentially with time constant τ — heats
 * under load, cools when idle. Exact over an interval in which `u` is constant.
 */
export function settle(m: ThermalModel, u: number): number {
  return m.ambientCelsius + m.risePerLoad * u;
}

export function stepTemp(m: ThermalModel, t0: number, u: number, dtMs: number): number {
  const ss = settle(m, u);
  return ss + (t0 - ss) * Math.exp(-dtMs / (m.tauSeconds * 1000));
}

/**
 * How long within an interval the temperature was at or above the max, exactly: the curve is
 * monotonic towards the settling point, so it crosses the max at most once.
 */
export function timeAbove(m: ThermalModel, t0: number, u: number, dtMs: number): number {
  const max = m.maxCelsius;
  const ss = settle(m, u);
  const t1 = stepTemp(m, t0, u, dtMs);
  if (t0 >= max && t1 >= max) return dtMs;
  if (t0 < max && t1 < max) return 0;
  // Crossing at s where ss + (t0 − ss)·e^(−s/τ) = max.
  const s = -m.tauSeconds * 1000 * Math.log((max - ss) / (t0 - ss));
  const cross = Math.min(dtMs, Math.max(0, s));
  return t0 >= max ? cross : dtMs - cross;
}
