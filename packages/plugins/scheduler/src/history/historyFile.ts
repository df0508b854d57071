import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteSync } from '@fester/core';
import { z } from '@fester/core/zod';
import { History, type ErrorStats, type HistoryData } from './History.js';

const stats = z.strictObject({ n: z.number().int().nonnegative(), mean: z.number().nonnegative(), variance: z.number().nonnegative() });
const schema = z.strictObject({
  v: z.literal(1),
  alpha: z.number().gt(0).max(1),
  classes: z.record(z.string(), stats),
  nodes: z.record(z.string(), z.strictObject({
    classes: z.record(z.string(), stats),
    speedLog: z.number(),
    speedN: z.number().int().nonnegative(),
    error: z.strictObject({ n: z.number().int().nonnegative(), mape: z.number().nonnegative() }),
  })),
  actions: z.record(z.string(), stats.extend({ node: z.string().optional(), last: z.number().nonnegative().optional() })).optional(),
});

/** `<cache dir>/scheduler/history.json`: beside the action cache, shared by every project of the user. */
export function historyPath(cacheDir: string): string {
  return join(cacheDir, 'scheduler', 'history.json');
}

export interface LoadedHistory {
  history: History;
  /** Set when the file existed but could not be used (FE1003): it was moved aside. */
  warning?: { code: 'FE1003'; message: string; file: string };
}

/**
 * Read the persisted history. A damaged file never stops a build: it is renamed to
 * `history.json.bad` (kept for a look) and the scheduler starts from nothing.
 */
export function loadHistory(file: string, alpha?: number): LoadedHistory {
  if (!existsSync(file)) return { history: new History(undefined, alpha) };
  let problem: string;
  try {
    const r = schema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (r.success) return { history: new History(r.data as HistoryData, alpha ?? r.data.alpha) };
    const i = r.error.issues[0]!;
    problem = `${i.path.join('.') || '(root)'}: ${i.message}`;
  } catch (e) {
    problem = (e as Error).message;
  }
  try { renameSync(file, `${file}.bad`); } catch { /* read-only cache dir: start empty anyway */ }
  return { history: new History(undefined, alpha), warning: { code: 'FE1003', message: `scheduler history ${file} is unreadable (${problem}); moved to history.json.bad, starting empty`, file } };
}

export function saveHistory(file: string, history: History): void {
  if (!history.dirty) return;
  atomicWriteSync(file, `${JSON.stringify(history.data)}\n`);
  history.dirty = false;
}

/**
 * Prediction error per node from the persisted history, for `fester node list --json` and
 * metrics (they run in other processes than the builds that learned it). `{}` when there is
 * no history yet; a node that never had a prediction judged has `samples: 0`.
 */
export function predictionError(cacheDir: string, node?: string): Record<string, { samples: number; mape: number }> {
  const { history } = loadHistoryReadOnly(historyPath(cacheDir));
  const all = history.predictionErrors();
  const pick = node === undefined ? Object.keys(all) : [node];
  const out: Record<string, { samples: number; mape: number }> = {};
  for (const id of pick) {
    const e: ErrorStats = all[id] ?? { n: 0, mape: 0 };
    out[id] = { samples: e.n, mape: Math.round(e.mape * 1000) / 1000 };
  }
  return out;
}

/** Like loadHistory but never renames anything: readers must not disturb the file. */
function loadHistoryReadOnly(file: string): { history: History } {
  try {
    const r = schema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (r.success) return { history: new History(r.data as HistoryData) };
  } catch { /* missing or damaged: no data */ }
  return { history: new History() };
}
