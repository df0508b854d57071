import type { Coordinator } from './client.js';

/**
 * The builds using the farm now, as the coordinator sees them. A farm build is journaled by
 * the `fester build --farm` process that sent it, so the coordinator's /api/builds does not
 * list it; what the coordinator's own journal does hold is every lease it granted (with the
 * build id) and every lease it revoked. This folds those of the last minutes per build.
 */
export interface FarmBuild {
  build: string;
  leases: number;
  revoked: number;
  nodes: string[];
  lastTs: number;
}

interface LeaseEvent { type: string; ts: number; lease?: string; build?: string; node?: string }

export const WINDOW_MS = 15 * 60_000;

export async function farmActivity(c: Coordinator, now = Date.now()): Promise<FarmBuild[]> {
  const { sessions } = await c.get<{ sessions: { id: string }[] }>('/api/sessions');
  // Oldest first: the coordinator's running session is the last.
  const live = sessions.at(-1);
  if (!live) return [];
  const from = Math.max(0, Math.floor(now - WINDOW_MS));
  const { events } = await c.get<{ events: LeaseEvent[] }>(`/api/replay/${encodeURIComponent(live.id)}?fromTs=${from}`);
  const byBuild = new Map<string, FarmBuild & { nodeSet: Set<string> }>();
  const buildOfLease = new Map<string, string>();
  for (const ev of events) {
    if (ev.type === 'lease.granted' && ev.build) {
      let b = byBuild.get(ev.build);
      if (!b) byBuild.set(ev.build, (b = { build: ev.build, leases: 0, revoked: 0, nodes: [], nodeSet: new Set(), lastTs: ev.ts }));
      b.leases++;
      if (ev.node) b.nodeSet.add(ev.node);
      b.lastTs = Math.max(b.lastTs, ev.ts);
      if (ev.lease) buildOfLease.set(ev.lease, ev.build);
    } else if (ev.type === 'lease.revoked' && ev.lease) {
      const b = byBuild.get(buildOfLease.get(ev.lease) ?? '');
      if (b) b.revoked++;
    }
  }
  return [...byBuild.values()]
    .map(({ nodeSet, ...b }) => ({ ...b, nodes: [...nodeSet].sort() }))
    .sort((p, q) => q.lastTs - p.lastTs);
}
