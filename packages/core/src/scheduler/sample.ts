import type { Candidate } from '../types.js';

/** Farms up to this size are listed whole in `action.scheduled` and `schedule.decision`. */
export const SAMPLE_ALL = 24;
/** On larger ones: the best this many eligible candidates (plus the chosen one and an example per filter rule). */
export const SAMPLE_TOP = 8;

/** Filter reasons are grouped by their rule: the text before the first colon, at most this long. */
const RULE_CHARS = 60;

export interface CandidateSample {
  kept: Candidate[];
  /** Large farms only: eligible candidates left out, and filtered ones per rule beyond its example. */
  omitted?: { lost: number; filtered: Record<string, number> };
}

/**
 * The candidates a placement's journal events list: every one of a small farm; on a large one
 * the best `SAMPLE_TOP` by score, the chosen one, and the first node per filter rule, with the
 * rest counted — a 1,000-node farm must not write 1,000 entries per action.
 */
export function sampleCandidates(all: readonly Candidate[], chosen: Candidate | undefined): CandidateSample {
  if (all.length <= SAMPLE_ALL) return { kept: [...all] };
  const top = topIndices(all, SAMPLE_TOP).map((i) => all[i]!);
  if (chosen && !top.includes(chosen)) top.unshift(chosen);
  const rules: string[] = [];
  const examples: Candidate[] = [];
  const filtered: Record<string, number> = {};
  let live = 0;
  for (let i = 0; i < all.length; i++) {
    const c = all[i]!;
    if (!c.filtered) { live++; continue; }
    // A farm has a handful of rules: matching a known one allocates nothing (hundreds of hot nodes per decision).
    const known = knownRule(c.filtered, rules);
    if (known === undefined) { rules.push(rule(c.filtered)); examples.push(c); } else filtered[known] = (filtered[known] ?? 0) + 1;
  }
  return { kept: [...top, ...examples], omitted: { lost: live - top.length, filtered } };
}

/**
 * Indices of the `k` best unfiltered candidates by score, equal scores in list order.
 * Insertion into a short sorted list: O(n · k), no full sort of a big farm.
 */
export function topIndices(cands: readonly Candidate[], k: number): number[] {
  const top: number[] = [];
  for (let j = 0; j < cands.length; j++) {
    if (cands[j]!.filtered) continue;
    const score = cands[j]!.score;
    let i = top.length;
    while (i > 0 && cands[top[i - 1]!]!.score < score) i--;
    if (i < k) insertAt(top, i, j, k);
  }
  return top;
}

const rule = (reason: string) => { const i = reason.indexOf(':'); return (i < 0 ? reason : reason.slice(0, i)).slice(0, RULE_CHARS); };

function knownRule(reason: string, rules: readonly string[]): string | undefined {
  for (const r of rules) if (ofRule(reason, r)) return r;
  return undefined;
}

/** `rule(reason) === r`, without cutting strings. */
function ofRule(reason: string, r: string): boolean {
  if (!reason.startsWith(r)) return false;
  if (reason.length === r.length) return true;
  if (r.length < RULE_CHARS) return reason.charCodeAt(r.length) === 58; // ':'
  const colon = reason.indexOf(':');
  return colon < 0 || colon >= RULE_CHARS;
}

/** `list.splice(at, 0, x)` capped at `max` entries, without splice's array of removed items (1,000 calls per decision). */
function insertAt<T>(list: T[], at: number, x: T, max: number): void {
  const n = Math.min(list.length + 1, max);
  for (let m = n - 1; m > at; m--) list[m] = list[m - 1]!;
  list[at] = x;
  list.length = n;
}
