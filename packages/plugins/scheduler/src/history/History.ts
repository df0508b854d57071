/** Exponentially weighted mean and variance of one series (West's incremental form). */
export interface RuntimeStats {
  n: number;
  mean: number;
  variance: number;
}

/** How wrong the predictions for one node were: EWMA of |actual − predicted| / actual. */
export interface ErrorStats {
  n: number;
  mape: number;
}

export interface NodeHistory {
  classes: Record<string, RuntimeStats>;
  /** EWMA of ln(node time / class mean over all nodes): below 0, faster than the farm. */
  speedLog: number;
  speedN: number;
  error: ErrorStats;
}

export interface HistoryData {
  v: 1;
  alpha: number;
  classes: Record<string, RuntimeStats>;
  nodes: Record<string, NodeHistory>;
}

export interface Estimate {
  ms: number;
  std: number;
  /** From this node's own runs of the class (not scaled from the farm's). */
  exact: boolean;
}

/** Errors move slower than runtimes: one odd run should not swing the reported accuracy. */
const ERROR_ALPHA = 0.1;

function update(s: RuntimeStats | undefined, x: number, alpha: number): RuntimeStats {
  if (!s) return { n: 1, mean: x, variance: 0 };
  // Early on, a plain average (1/n) beats a small alpha that would cling to the first sample.
  const a = Math.max(alpha, 1 / (s.n + 1));
  const diff = x - s.mean;
  const incr = a * diff;
  return { n: s.n + 1, mean: s.mean + incr, variance: (1 - a) * (s.variance + diff * incr) };
}

/**
 * Runtime statistics per node × action class, learned from every finished action. An unknown
 * pair is estimated from the class's farm-wide mean scaled by the node's learned speed, so a
 * new node is not blind. Each observation first scores the prediction it replaces: that is
 * the prediction error `fester node list --json` and metrics report.
 */
export class History {
  readonly data: HistoryData;
  /** Changed since load or the last save. */
  dirty = false;

  constructor(data?: HistoryData, alpha = 0.3) {
    this.data = data ?? { v: 1, alpha, classes: {}, nodes: {} };
  }

  get alpha(): number { return this.data.alpha; }

  stats(node: string, cls: string): RuntimeStats | undefined {
    return this.data.nodes[node]?.classes[cls];
  }

  /** Predicted runtime of `cls` on `node`, or undefined when nothing is known about the class. */
  estimate(node: string, cls: string): Estimate | undefined {
    const n = this.data.nodes[node];
    const own = n?.classes[cls];
    if (own) return { ms: own.mean, std: Math.sqrt(own.variance), exact: true };
    const farm = this.data.classes[cls];
    if (!farm) return undefined;
    const scale = n && n.speedN > 0 ? Math.exp(n.speedLog) : 1;
    return { ms: farm.mean * scale, std: Math.sqrt(farm.variance) * scale, exact: false };
  }

  /** Record a finished run; returns the prediction it was judged against. */
  observe(node: string, cls: string, ms: number): { predicted?: number; relError?: number } {
    const x = Math.max(1, ms);
    const before = this.estimate(node, cls);
    const farm = this.data.classes[cls];
    const n = (this.data.nodes[node] ??= { classes: {}, speedLog: 0, speedN: 0, error: { n: 0, mape: 0 } });
    if (farm && farm.mean > 0) {
      const a = Math.max(this.alpha, 1 / (n.speedN + 1));
      n.speedLog += a * (Math.log(x / farm.mean) - n.speedLog);
      n.speedN++;
    }
    n.classes[cls] = update(n.classes[cls], x, this.alpha);
    this.data.classes[cls] = update(farm, x, this.alpha);
    this.dirty = true;
    if (!before) return {};
    const relError = Math.abs(x - before.ms) / x;
    const a = Math.max(ERROR_ALPHA, 1 / (n.error.n + 1));
    n.error = { n: n.error.n + 1, mape: n.error.mape + a * (relError - n.error.mape) };
    return { predicted: before.ms, relError };
  }

  /** Per node: samples judged and the mean absolute percentage error (0.12 = 12 %). */
  predictionErrors(): Record<string, ErrorStats> {
    const out: Record<string, ErrorStats> = {};
    for (const [id, n] of Object.entries(this.data.nodes)) out[id] = { ...n.error };
    return out;
  }

  /** Relative speed of a node: 1 = the farm's mean, 2 = twice as fast; undefined before any data. */
  speed(node: string): number | undefined {
    const n = this.data.nodes[node];
    return n && n.speedN > 0 ? Math.exp(-n.speedLog) : undefined;
  }
}
