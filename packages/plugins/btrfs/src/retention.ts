import type { SnapshotMeta } from './meta.js';

/** How many snapshots `compact` keeps: the newest `keepLast`, plus the newest of each of the last `keepDaily` days. */
export interface RetentionPolicy {
  keepLast: number;
  keepDaily: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { keepLast: 10, keepDaily: 7 };

export interface RetentionPlan {
  keep: { meta: SnapshotMeta; why: string[] }[];
  remove: SnapshotMeta[];
}

/**
 * Decide what stays. Days are UTC calendar days counted over the days that have snapshots
 * (a week without builds does not empty the daily slots). Pure, so the rule is testable
 * without a filesystem; the reasons are printed by `fester snapshot compact`.
 */
export function planRetention(snapshots: readonly SnapshotMeta[], policy: RetentionPolicy): RetentionPlan {
  const newestFirst = [...snapshots].sort((a, b) => b.createdAt - a.createdAt || b.name.localeCompare(a.name));
  const why = new Map<string, string[]>();
  const add = (m: SnapshotMeta, reason: string) => why.set(m.name, [...(why.get(m.name) ?? []), reason]);
  newestFirst.slice(0, policy.keepLast).forEach((m, i) => add(m, `last ${i + 1}/${policy.keepLast}`));
  const days: string[] = [];
  for (const m of newestFirst) {
    const day = new Date(m.createdAt).toISOString().slice(0, 10);
    if (days.includes(day)) continue;
    if (days.length >= policy.keepDaily) break;
    days.push(day);
    add(m, `daily ${day}`);
  }
  return {
    keep: newestFirst.filter((m) => why.has(m.name)).map((meta) => ({ meta, why: why.get(meta.name)! })),
    remove: newestFirst.filter((m) => !why.has(m.name)),
  };
}
