import type { Action, Candidate } from '@fester/core';
import type { FactorTable } from '../factorTable.js';
import type { SchedulerHost } from '../host.js';

export const MODE_NAMES = ['unified', 'thermal', 'cache-first', 'target-isolated', 'intelligence'] as const;
export type ModeName = (typeof MODE_NAMES)[number];

/** One decision as a mode sees it. */
export interface DecisionContext {
  readonly action: Action;
  /** History class of the action (kind/target). */
  readonly cls: string;
  readonly host: SchedulerHost;
  readonly weights: Readonly<Record<string, number>>;
  readonly seed: number;
  /** Every candidate, filtered ones included (their reasons are for the record). */
  readonly all: Candidate[];
  /** Candidates still eligible; a mode's filter shrinks this list. */
  live: Candidate[];
  /** Factor values of `live` (column per factor, row per candidate): scorers write here. */
  readonly table: FactorTable;
  /** What patience read of the work ahead (journaled with the decision, so replay reads the same). */
  workAhead?: { remainingMs: number; tailMs: number };
}

/**
 * A scheduler mode: optional filters of its own (pools, deferral), then scorers that set named
 * factors in [0, 1] (higher is better). The plugin multiplies each by its weight and sums.
 */
export interface SchedulingMode {
  readonly name: ModeName;
  /** One line for docs and `fester explain`. */
  readonly summary: string;
  /** Default weight of every factor the mode sets; `scheduler.weights` overrides them. */
  readonly weights: Readonly<Record<string, number>>;
  filter?(ctx: DecisionContext): void;
  score(ctx: DecisionContext): void;
}
