import type { FesterEvent } from '../journal/events.js';
import type { BuildIndex } from './BuildIndex.js';
import { actionOf, describeEvent, nodeOf } from './describeEvent.js';
import type { SessionLog } from './SessionLog.js';

export interface CausalNode {
  seq: number;
  ts: number;
  type: string;
  /** Absent for session-level events (farm: dropouts, leases, node changes). */
  build?: string;
  action?: string;
  node?: string;
  label: string;
}

/** `from` caused `to` (both journal seq numbers). */
export interface CausalEdge { from: number; to: number }

export interface CausalGraph {
  build: string;
  session: string;
  nodes: CausalNode[];
  edges: CausalEdge[];
}

export interface CausalGraphOptions {
  /** Every event of the build as a node, not only those on an edge. */
  all?: boolean;
  /** Only the events of this action and everything that caused them or that they caused. */
  action?: string;
}

/**
 * The causal graph of a build: journal events as nodes, their `causes` as edges. Causes may
 * lie outside the build (a session-level `node.dropout`, an event of an earlier build of the
 * session): those are followed too, so a chain is never cut at the build's edge.
 */
export function causalGraph(log: SessionLog, build: BuildIndex, opts: CausalGraphOptions = {}): CausalGraph {
  // The build's events plus the session-level ones written while it ran (farm events carry no build id).
  const lo = log.indexOfSeq(build.firstSeq);
  const hi = log.indexOfSeq(build.lastSeq + 1);
  const inWindow: FesterEvent[] = [];
  for (let i = lo; i < hi; i++) {
    const ev = log.events[i]!;
    if (ev.build === build.id || ev.build === undefined) inWindow.push(ev);
  }
  const bySeq = new Map<number, FesterEvent>();
  const edges: CausalEdge[] = [];
  const seen = new Set<number>();
  const pending: FesterEvent[] = [];
  for (const ev of inWindow) { bySeq.set(ev.seq, ev); if (ev.causes?.length) pending.push(ev); }
  // Follow causes transitively, outside the window if need be.
  while (pending.length) {
    const ev = pending.pop()!;
    if (seen.has(ev.seq)) continue;
    seen.add(ev.seq);
    for (const c of ev.causes ?? []) {
      const cause = bySeq.get(c) ?? log.bySeq(c);
      if (!cause) continue;
      bySeq.set(c, cause);
      edges.push({ from: c, to: ev.seq });
      if (cause.causes?.length) pending.push(cause);
    }
  }
  let keep: Set<number>;
  if (opts.action !== undefined) {
    keep = reachable(inWindow.filter((e) => actionOf(e) === opts.action).map((e) => e.seq), edges);
  } else if (opts.all) {
    keep = new Set([...inWindow.filter((e) => e.build === build.id).map((e) => e.seq), ...edges.flatMap((e) => [e.from, e.to])]);
  } else {
    keep = new Set(edges.flatMap((e) => [e.from, e.to]));
  }
  const nodes = [...keep].sort((a, b) => a - b).flatMap((seq) => {
    const ev = bySeq.get(seq);
    return ev ? [toNode(ev)] : [];
  });
  const kept = edges.filter((e) => keep.has(e.from) && keep.has(e.to)).sort((a, b) => a.to - b.to || a.from - b.from);
  return { build: build.id, session: log.id, nodes, edges: kept };
}

function toNode(ev: FesterEvent): CausalNode {
  const action = actionOf(ev);
  const node = nodeOf(ev);
  return { seq: ev.seq, ts: ev.ts, type: ev.type, ...(ev.build ? { build: ev.build } : {}), ...(action ? { action } : {}), ...(node ? { node } : {}), label: describeEvent(ev) };
}

/** Seeds plus every ancestor and every descendant along the edges. */
function reachable(seeds: number[], edges: CausalEdge[]): Set<number> {
  const up = new Map<number, number[]>();
  const down = new Map<number, number[]>();
  for (const e of edges) {
    (up.get(e.to) ?? up.set(e.to, []).get(e.to)!).push(e.from);
    (down.get(e.from) ?? down.set(e.from, []).get(e.from)!).push(e.to);
  }
  const out = new Set<number>(seeds);
  for (const dir of [up, down]) {
    const stack = [...seeds];
    const visited = new Set<number>();
    while (stack.length) {
      const s = stack.pop()!;
      if (visited.has(s)) continue;
      visited.add(s);
      out.add(s);
      stack.push(...(dir.get(s) ?? []));
    }
  }
  return out;
}
