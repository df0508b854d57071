import type { Action } from '@fester/core';
import { actionClass } from '../history/actionClass.js';
import type { History } from '../history/History.js';

/** Relative cost of a kind when nothing has been measured: links are long, archives short. */
const PRIOR_MS: Record<string, number> = { compile: 1000, archive: 300, link: 3000, custom: 1000 };

/** Learning rates of the three terms: classes settle fast, node speeds a bit slower, size slowest. */
const ETA_CLASS = 0.3;
const ETA_NODE = 0.2;
const ETA_SIZE = 0.02;

/** Input size as a centred feature: log2 of kilobytes around 64 KiB. */
function sizeFeature(a: Action): number {
  const bytes = typeof a.meta.inputBytes === 'number' ? a.meta.inputBytes : undefined;
  return bytes === undefined ? 0 : Math.log2(1 + bytes / 1024) - 6;
}

/**
 * Online runtime model for the intelligence mode:
 *   ln(ms) ≈ class[kind/target] + node[id] + β · size
 * learned by one stochastic-gradient step per finished action. Node terms are shared across
 * classes, so one measured compile tells the model how fast a node links too; that is what
 * lets critical-path ranks and earliest-finish estimates work a few actions into a build.
 * Before a class is seen, the persisted History (or a per-kind prior) stands in.
 */
export class RuntimeModel {
  private readonly cls = new Map<string, number>();
  private readonly node = new Map<string, number>();
  private beta = 0;
  /** EWMA of squared log residuals: the spread used to call a run a straggler. */
  private resid2 = 0.25;
  observations = 0;

  constructor(private readonly history?: History) {}

  /** `predict(…).ms` without allocating: asked for every node of a decision (the class given once). */
  predictMs(nodeId: string, a: Action, c = actionClass(a)): number {
    const base = this.cls.get(c);
    const n = this.node.get(nodeId) ?? 0;
    if (base !== undefined) return Math.exp(base + n + this.beta * sizeFeature(a));
    const h = this.history?.meanMs(nodeId, c);
    if (h !== undefined && !Number.isNaN(h)) return h;
    return (PRIOR_MS[a.kind] ?? 1000) * Math.exp(n);
  }

  /** Predicted runtime (ms) on a node, and its relative spread (σ of ln). */
  predict(nodeId: string, a: Action): { ms: number; sigma: number } {
    const c = actionClass(a);
    const base = this.cls.get(c);
    const n = this.node.get(nodeId) ?? 0;
    if (base !== undefined) return { ms: Math.exp(base + n + this.beta * sizeFeature(a)), sigma: Math.sqrt(this.resid2) };
    const h = this.history?.estimate(nodeId, c);
    if (h) return { ms: h.ms, sigma: Math.sqrt(this.resid2) };
    return { ms: (PRIOR_MS[a.kind] ?? 1000) * Math.exp(n), sigma: 1 };
  }

  /** Mean predicted runtime over the farm (node term 0): the weight of an action in its rank. */
  mean(a: Action): number {
    const c = actionClass(a);
    const base = this.cls.get(c);
    if (base !== undefined) return Math.exp(base + this.beta * sizeFeature(a));
    const h = this.history?.data.classes[c];
    return h ? h.mean : (PRIOR_MS[a.kind] ?? 1000);
  }

  /**
   * An action's weight in its critical-path rank: its own measured runtime when the history
   * has one (a class mean cannot tell the project's 40 s translation unit from its 1 s ones),
   * else the model's mean for its class and size.
   */
  rankMs(a: Action): number {
    return this.history?.actionMs(a.id) ?? this.mean(a);
  }

  observe(nodeId: string, a: Action, ms: number): void {
    const y = Math.log(Math.max(1, ms));
    const c = actionClass(a);
    const x = sizeFeature(a);
    const n = this.node.get(nodeId) ?? 0;
    const base = this.cls.get(c);
    this.observations++;
    if (base === undefined) {
      // First sighting of the class: anchor it on this run, given what we know of the node.
      this.cls.set(c, y - n - this.beta * x);
      return;
    }
    const r = y - (base + n + this.beta * x);
    this.resid2 = 0.9 * this.resid2 + 0.1 * r * r;
    this.cls.set(c, base + ETA_CLASS * r);
    this.node.set(nodeId, n + ETA_NODE * r);
    this.beta += ETA_SIZE * r * x;
  }
}
