import type { Candidate, EventPayload, ScheduleCandidate } from '@fester/core';

/** Farms up to this size are recorded whole; larger ones keep the best `RECORD_TOP` and counts. */
export const RECORD_ALL = 24;
export const RECORD_TOP = 8;
/** Score differences below this are ties (left to the seeded tie-break). */
const TIE = 1e-4;

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** The unfiltered candidates: counted first, so the array is allocated once at its size (1,000-node decisions). */
export function liveOf(all: readonly Candidate[]): Candidate[] {
  let n = 0;
  for (let i = 0; i < all.length; i++) if (!all[i]!.filtered) n++;
  const out: Candidate[] = new Array(n);
  n = 0;
  for (let i = 0; i < all.length; i++) if (!all[i]!.filtered) out[n++] = all[i]!;
  return out;
}

/** The core's rule (chooseNode): the first candidate with the highest score among the unfiltered. */
export function pick(all: readonly Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (let i = 0; i < all.length; i++) { const c = all[i]!; if (!c.filtered && (!best || c.score > best.score)) best = c; }
  return best;
}

/**
 * Why `loser` lost to `winner`: the factor whose weighted contribution differs most in the
 * winner's favour, or the seeded tie-break when the scores were equal but for it.
 */
export function lostBecause(loser: Candidate, winner: Candidate): string {
  if (winner.score - loser.score < TIE) return 'tie-break (seeded)';
  let worst = '';
  let gap = 0;
  for (const name in winner.factors) {
    if (name === 'tie') continue;
    const f = winner.factors[name]!;
    const mine = loser.factors[name];
    const d = f.value * f.weight - (mine ? mine.value * mine.weight : 0);
    if (d > gap) { gap = d; worst = name; }
  }
  for (const name in loser.factors) {
    if (name === 'tie' || winner.factors[name]) continue;
    const f = loser.factors[name]!;
    const d = -f.value * f.weight;
    if (d > gap) { gap = d; worst = name; }
  }
  if (!worst) return `score ${loser.score.toFixed(3)} < ${winner.score.toFixed(3)}`;
  const l = loser.factors[worst]?.value ?? 0;
  const w = winner.factors[worst]?.value ?? 0;
  return `${worst} ${l.toFixed(2)} vs ${w.toFixed(2)} (×${winner.factors[worst]?.weight ?? loser.factors[worst]?.weight})`;
}

function record(c: Candidate, winner: Candidate | undefined): ScheduleCandidate {
  const factors: ScheduleCandidate['factors'] = {};
  for (const k in c.factors) { const f = c.factors[k]!; factors[k] = { value: r4(f.value), weight: f.weight }; }
  const out: ScheduleCandidate = { node: c.node.id, score: r4(c.score), factors };
  if (c.filtered) out.filtered = c.filtered;
  else if (winner && c !== winner) out.lost = lostBecause(c, winner);
  return out;
}

/**
 * The `k` best unfiltered candidates by score, equal scores in list order: the ones a large farm's
 * decision records (and the only ones the scheduler gives factor objects).
 */
export function topByScore(live: readonly Candidate[], k: number): Candidate[] {
  return topIndices(live, k).map((i) => live[i]!);
}

/** Indices of `topByScore` in `live`. */
export function topIndices(live: readonly Candidate[], k: number): number[] {
  const top: number[] = [];
  for (let j = 0; j < live.length; j++) {
    // Insertion into a short sorted list: O(n · k), no full sort of a big farm.
    if (live[j]!.filtered) continue;
    const score = live[j]!.score;
    let i = top.length;
    while (i > 0 && live[top[i - 1]!]!.score < score) i--;
    if (i < k) insertAt(top, i, j, k);
  }
  return top;
}

/** Filter reasons grouped by their rule (the text before the first colon) for the `omitted` counts. */
const RULE_CHARS = 60;
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

/**
 * The `schedule.decision` event of one placement. Every candidate of a small farm; on a large
 * one the chosen node, the next best and one example per filter rule, with the rest counted —
 * a 1,000-node farm must not write 1,000 candidates per action into the journal.
 */
export function decisionEvent(actionId: string, cls: string, mode: string, seed: number, all: readonly Candidate[], read: { workAhead?: { remainingMs: number; tailMs: number }; clock?: number } = {}): EventPayload {
  const winner = pick(all);
  let kept: Candidate[];
  let omitted: { lost: number; filtered: Record<string, number> } | undefined;
  if (all.length <= RECORD_ALL) kept = [...all];
  else {
    const top = topByScore(all, RECORD_TOP);
    if (winner && !top.includes(winner)) top.unshift(winner);
    const rules: string[] = [];
    const examples: Candidate[] = [];
    const filtered: Record<string, number> = {};
    for (let i = 0; i < all.length; i++) {
      const c = all[i]!;
      if (!c.filtered) continue;
      // A farm has a handful of rules: matching a known one allocates nothing (hundreds of hot nodes per decision).
      const known = knownRule(c.filtered, rules);
      if (known === undefined) { rules.push(rule(c.filtered)); examples.push(c); } else filtered[known] = (filtered[known] ?? 0) + 1;
    }
    kept = [...top, ...examples];
    let live = 0;
    for (let i = 0; i < all.length; i++) if (!all[i]!.filtered) live++;
    omitted = { lost: live - top.length, filtered };
  }
  return {
    type: 'schedule.decision', action: actionId, mode, seed, chosen: winner?.node.id ?? '', class: cls,
    candidates: kept.map((c) => record(c, winner)),
    ...(omitted ? { omitted } : {}),
    ...(read.workAhead ? { workAhead: read.workAhead } : {}),
    ...(read.clock !== undefined ? { clock: read.clock } : {}),
  };
}

/** `list.splice(at, 0, x)` capped at `max` entries, without splice's array of removed items (1,000 calls per decision). */
function insertAt<T>(list: T[], at: number, x: T, max: number): void {
  const n = Math.min(list.length + 1, max);
  for (let m = n - 1; m > at; m--) list[m] = list[m - 1]!;
  list[at] = x;
  list.length = n;
}
