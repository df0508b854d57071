import type { Farm, Trace } from './formats.js';

export interface LowerBound {
  ms: number;
  /** Longest dependency chain, each action on the fastest node that can run it. */
  criticalPathMs: number;
  /** Total work over the capacity that can do it, taken per target set (the tightest). */
  workOverCapacityMs: number;
}

/**
 * No schedule can beat max(critical path, total work / total capacity): a makespan is judged
 * against this. Capacity is slots × speed; work is split by target because an aarch64 action
 * can only use the nodes that build aarch64. Transfers, heat and dropouts only add time.
 */
export function lowerBound(trace: Trace, farm: Farm): LowerBound {
  const fastest = new Map<string, number>();
  const capacity = new Map<string, number>();
  for (const n of farm.nodes) {
    for (const t of n.targets) {
      fastest.set(t, Math.max(fastest.get(t) ?? 0, n.speed));
      capacity.set(t, (capacity.get(t) ?? 0) + n.slots * n.speed);
    }
  }
  const finish = new Map<string, number>();
  let cp = 0;
  // Trace order need not be topological: resolve with an explicit stack.
  const byId = new Map(trace.actions.map((a) => [a.id, a]));
  for (const root of trace.actions) {
    const stack = [root.id];
    while (stack.length) {
      const id = stack[stack.length - 1]!;
      if (finish.has(id)) { stack.pop(); continue; }
      const a = byId.get(id)!;
      const open = a.deps.filter((d) => !finish.has(d));
      if (open.length) { stack.push(...open); continue; }
      stack.pop();
      const start = Math.max(0, ...a.deps.map((d) => finish.get(d)!));
      const f = start + a.durationMs / (fastest.get(a.target) ?? 1);
      finish.set(id, f);
      cp = Math.max(cp, f);
    }
  }
  // Work per target, and for every group of targets served by the same nodes, work / capacity.
  const work = new Map<string, number>();
  for (const a of trace.actions) work.set(a.target, (work.get(a.target) ?? 0) + a.durationMs);
  let woc = 0;
  for (const [t, w] of work) woc = Math.max(woc, w / (capacity.get(t) ?? Infinity));
  const all = [...work.values()].reduce((x, y) => x + y, 0);
  const total = farm.nodes.reduce((s, n) => s + n.slots * n.speed, 0);
  woc = Math.max(woc, all / total);
  return { ms: Math.max(cp, woc), criticalPathMs: cp, workOverCapacityMs: woc };
}
