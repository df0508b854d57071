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
  /**
   * Per action id: runtime on a node of the farm's mean speed (the run's time divided by its
   * node's relative speed). The same file takes about as long build after build, which a class
   * mean cannot say: this is what orders a build's longest chains first.
   */
  actions?: Record<string, ActionStats>;
}

/** An action's runtime on a mean node, and its last run (node and raw ms) for comparing nodes. */
export type ActionStats = RuntimeStats & { node?: string; last?: number };

/** Weight of one run judged against its class mean in a node's speed (after the first 1/n average). */
const SPEED_ALPHA = 0.05;
/** How far one pair of runs of the same action on two nodes moves their relative speed. */
const PAIR_ALPHA = 0.2;

/** Actions remembered; past this the oldest are forgotten (a project's files, not every file ever). */
export const MAX_ACTIONS = 100_000;

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

  /**
   * `estimate(…).ms` without allocating (NaN when nothing is known): asked per node per
   * decision. With the action's own runtime (`actionMs`, looked up once per decision by the
   * caller), that runtime scaled by the node's speed: a node's class mean depends on which
   * actions it happened to get (a slow node given short compiles looks fast), the action's own
   * runtime does not.
   */
  meanMs(node: string, cls: string, actionMs?: number): number {
    const n = this.data.nodes[node];
    if (actionMs !== undefined) return n && n.speedN > 0 ? actionMs * Math.exp(n.speedLog) : actionMs;
    const own = n?.classes[cls];
    if (own) return own.mean;
    const farm = this.data.classes[cls];
    if (!farm) return Number.NaN;
    return n && n.speedN > 0 ? farm.mean * Math.exp(n.speedLog) : farm.mean;
  }

  /** Finished runs learned from since this History was made (in this process). */
  observations = 0;

  /** Predicted runtime of an action on a node of mean speed, from its own past runs (undefined: never seen). */
  actionMs(action: string): number | undefined {
    return this.data.actions?.[action]?.mean;
  }

  /** Take every statistic of `data` (a history learned elsewhere: a farm's, a previous simulation's). */
  absorb(data: HistoryData): void {
    const copy = structuredClone(data);
    this.data.classes = copy.classes;
    this.data.nodes = copy.nodes;
    if (copy.actions) this.data.actions = copy.actions;
    this.actionCount = undefined;
    this.dirty = true;
  }

  /** Record a finished run; returns the prediction it was judged against. */
  observe(node: string, cls: string, ms: number, action?: string): { predicted?: number; relError?: number } {
    this.observations++;
    const x = Math.max(1, ms);
    const before = this.estimate(node, cls);
    const farm = this.data.classes[cls];
    const n = (this.data.nodes[node] ??= { classes: {}, speedLog: 0, speedN: 0, error: { n: 0, mape: 0 } });
    const prev = action === undefined ? undefined : this.data.actions?.[action];
    const other = prev?.node !== undefined && prev.node !== node ? this.data.nodes[prev.node] : undefined;
    if (other && prev?.last) {
      // The same action on two nodes: their time ratio is their speed ratio, whatever actions
      // each happens to get (judging a node against class means rewards one given short work).
      const err = Math.log(x / prev.last) - (n.speedLog - other.speedLog);
      n.speedLog += (PAIR_ALPHA * err) / 2;
      other.speedLog -= (PAIR_ALPHA * err) / 2;
      n.speedN++;
    } else if (!prev && farm && farm.mean > 0 && farm.n > (n.classes[cls]?.n ?? 0)) {
      // Never run before: only the class's farm-wide mean to judge by. Runtimes in a class vary
      // several-fold while a node's speed hardly changes: a long average, not the runtimes' alpha.
      // Only a mean other nodes contributed to says anything about this one's speed: on a node
      // that ran the whole class itself (a one-node farm) a short file would read as a fast node.
      const a = Math.max(SPEED_ALPHA, 1 / (n.speedN + 1));
      n.speedLog += a * (Math.log(x / farm.mean) - n.speedLog);
      n.speedN++;
    }
    n.classes[cls] = update(n.classes[cls], x, this.alpha);
    this.data.classes[cls] = update(farm, x, this.alpha);
    if (action !== undefined) this.observeAction(action, node, x, n.speedN > 0 ? x / Math.exp(n.speedLog) : x);
    this.dirty = true;
    if (!before) return {};
    const relError = Math.abs(x - before.ms) / x;
    const a = Math.max(ERROR_ALPHA, 1 / (n.error.n + 1));
    n.error = { n: n.error.n + 1, mape: n.error.mape + a * (relError - n.error.mape) };
    return { predicted: before.ms, relError };
  }

  private actionCount?: number;

  private observeAction(action: string, node: string, raw: number, ms: number): void {
    const all = (this.data.actions ??= {});
    this.actionCount ??= Object.keys(all).length;
    const had = all[action];
    if (had) delete all[action]; // re-inserted last: the first key is the least recently built
    else if (this.actionCount >= MAX_ACTIONS) { for (const k in all) { delete all[k]; break; } }
    else this.actionCount++;
    all[action] = { ...update(had, ms, this.alpha), node, last: raw };
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
