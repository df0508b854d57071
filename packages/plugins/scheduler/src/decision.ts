import { sampleCandidates, type Candidate, type EventPayload, type ScheduleCandidate } from '@fester/core';

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
 * The `schedule.decision` event of one placement. Every candidate of a small farm; on a large
 * one the chosen node, the next best and one example per filter rule, with the rest counted —
 * a 1,000-node farm must not write 1,000 candidates per action into the journal.
 */
export function decisionEvent(actionId: string, cls: string, mode: string, seed: number, all: readonly Candidate[], read: { workAhead?: { remainingMs: number; tailMs: number }; clock?: number } = {}): EventPayload {
  const winner = pick(all);
  const { kept, omitted } = sampleCandidates(all, winner);
  return {
    type: 'schedule.decision', action: actionId, mode, seed, chosen: winner?.node.id ?? '', class: cls,
    candidates: kept.map((c) => record(c, winner)),
    ...(omitted ? { omitted } : {}),
    ...(read.workAhead ? { workAhead: read.workAhead } : {}),
    ...(read.clock !== undefined ? { clock: read.clock } : {}),
  };
}
