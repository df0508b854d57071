import type { Candidate, EventPayload, ScheduleCandidate } from '@fester/core';

/** Farms up to this size are recorded whole; larger ones keep the best `RECORD_TOP` and counts. */
export const RECORD_ALL = 24;
export const RECORD_TOP = 8;
/** Score differences below this are ties (left to the seeded tie-break). */
const TIE = 1e-4;

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** The core's rule (chooseNode): the first candidate with the highest score among the unfiltered. */
export function pick(all: readonly Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const c of all) if (!c.filtered && (!best || c.score > best.score)) best = c;
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
  for (const [name, f] of Object.entries(winner.factors)) {
    if (name === 'tie') continue;
    const mine = loser.factors[name];
    const d = f.value * f.weight - (mine ? mine.value * mine.weight : 0);
    if (d > gap) { gap = d; worst = name; }
  }
  for (const [name, f] of Object.entries(loser.factors)) {
    if (name === 'tie' || winner.factors[name]) continue;
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
  for (const [k, f] of Object.entries(c.factors)) factors[k] = { value: r4(f.value), weight: f.weight };
  const out: ScheduleCandidate = { node: c.node.id, score: r4(c.score), factors };
  if (c.filtered) out.filtered = c.filtered;
  else if (winner && c !== winner) out.lost = lostBecause(c, winner);
  return out;
}

/** Filter reasons grouped by their rule (the text before the first colon) for the `omitted` counts. */
const rule = (reason: string) => { const i = reason.indexOf(':'); return (i < 0 ? reason : reason.slice(0, i)).slice(0, 60); };

/**
 * The `schedule.decision` event of one placement. Every candidate of a small farm; on a large
 * one the chosen node, the next best and one example per filter rule, with the rest counted —
 * a 1,000-node farm must not write 1,000 candidates per action into the journal.
 */
export function decisionEvent(actionId: string, cls: string, mode: string, seed: number, all: readonly Candidate[]): EventPayload {
  const winner = pick(all);
  let kept: Candidate[];
  let omitted: { lost: number; filtered: Record<string, number> } | undefined;
  if (all.length <= RECORD_ALL) kept = [...all];
  else {
    const live = all.filter((c) => !c.filtered);
    const top: Candidate[] = [];
    for (const c of live) {
      // Insertion into a short sorted list: O(n · RECORD_TOP), no full sort of a big farm.
      let i = top.length;
      while (i > 0 && top[i - 1]!.score < c.score) i--;
      if (i < RECORD_TOP) { top.splice(i, 0, c); if (top.length > RECORD_TOP) top.pop(); }
    }
    if (winner && !top.includes(winner)) top.unshift(winner);
    const seenRule = new Set<string>();
    const examples: Candidate[] = [];
    const filtered: Record<string, number> = {};
    for (const c of all) {
      if (!c.filtered) continue;
      const k = rule(c.filtered);
      if (!seenRule.has(k)) { seenRule.add(k); examples.push(c); } else filtered[k] = (filtered[k] ?? 0) + 1;
    }
    kept = [...top, ...examples];
    omitted = { lost: live.length - top.length, filtered };
  }
  return {
    type: 'schedule.decision', action: actionId, mode, seed, chosen: winner?.node.id ?? '', class: cls,
    candidates: kept.map((c) => record(c, winner)),
    ...(omitted ? { omitted } : {}),
  };
}
