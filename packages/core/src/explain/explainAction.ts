import { FesterError } from '../errors/FesterError.js';
import type { FesterEvent, InputChange, MissReason } from '../journal/events.js';

export interface Explanation {
  action: string;
  build: string;
  outcome: 'up-to-date' | 'cache-hit' | 'executed' | 'failed' | 'skipped' | 'interrupted' | 'not-reached';
  key?: string;
  previousKey?: string;
  tier?: string;
  reason?: MissReason;
  changed: InputChange[];
  node?: string;
  durationMs?: number;
  exitCode?: number | null;
  stderr?: string;
  skippedBecause?: string;
  argv?: string[];
  /** Every journal event about this action in that build, in order. */
  events: FesterEvent[];
}

function actionOf(ev: FesterEvent): string | undefined {
  return 'action' in ev && typeof ev.action === 'string' ? ev.action : undefined;
}

/**
 * Why an action ran, hit or was skipped in the last build of a journal that mentions it.
 * `query` is an action id or a unique suffix of one (`main.c.o`, `app`).
 */
export function explainAction(events: readonly FesterEvent[], query: string): Explanation {
  const ids = new Set<string>();
  for (const ev of events) { const a = actionOf(ev); if (a) ids.add(a); }
  let matches = ids.has(query) ? [query] : [...ids].filter((id) => id.endsWith(`/${query}`));
  if (matches.length > 1) {
    throw new FesterError('FE0111', { message: `"${query}" matches several actions`, hint: `be more specific: ${matches.slice(0, 6).join(', ')}` });
  }
  if (matches.length === 0) {
    const near = [...ids].filter((id) => id.includes(query)).slice(0, 6);
    throw new FesterError('FE0111', { message: `no action "${query}" in the journal`, hint: near.length ? `did you mean: ${near.join(', ')}` : 'action ids look like host/app or host/obj/app/src/main.c.o' });
  }
  const id = matches[0]!;
  const mine = events.filter((e) => actionOf(e) === id);
  const build = mine[mine.length - 1]!.build ?? '';
  const inBuild = mine.filter((e) => e.build === build);
  const x: Explanation = { action: id, build, outcome: 'not-reached', changed: [], events: inBuild };
  for (const ev of inBuild) {
    switch (ev.type) {
      case 'action.uptodate': x.outcome = 'up-to-date'; x.key = ev.key; break;
      case 'cache.hit': x.outcome = 'cache-hit'; x.key = ev.key; x.tier = ev.tier; break;
      case 'cache.miss': x.key = ev.key; x.reason = ev.reason; x.changed = ev.changed; x.previousKey = ev.previousKey; break;
      case 'action.started': x.node = ev.node; x.argv = ev.argv; break;
      case 'action.finished':
        x.outcome = ev.status === 'success' ? 'executed' : ev.status;
        x.durationMs = ev.durationMs; x.exitCode = ev.exitCode; x.stderr = ev.stderr;
        break;
      case 'action.skipped': x.outcome = 'skipped'; x.skippedBecause = ev.because; break;
      default: break;
    }
  }
  return x;
}
