import type { Build } from '../Build.js';
import type { InputChange } from '../journal/events.js';

/**
 * What caused a cache miss, as journal seqs for the `cache.miss` event's `causes`: the corrupt
 * entry it replaced; else, for every changed input, the event that wrote it in this build (a
 * generated header) or — for a file changed outside the build (edited by hand, checked out) —
 * an `input.changed` event emitted here once per path and digest, so that every miss on the
 * same edited header points at one node of the causal graph.
 */
export class MissCauses {
  private readonly corrupt = new Map<string, number>();
  /** Output path → seq of the event that last wrote it in this build. */
  private readonly producedBy = new Map<string, number>();
  /** `path\0after` → seq of its `input.changed`. */
  private readonly outside = new Map<string, number>();

  constructor(private readonly build: Build) {
    build.hooks.event.tap('fester:miss-causes', (ev) => {
      if (ev.type === 'cache.corrupt') this.corrupt.set(ev.key, ev.seq);
      else if ((ev.type === 'action.finished' || ev.type === 'cache.hit') && ev.outputs) for (const o of ev.outputs) this.producedBy.set(o.path, ev.seq);
    });
  }

  /** Seq of the corrupt-entry event for this key, if the entry was found corrupt in this build. */
  corruptSeq(key: string): number | undefined {
    return this.corrupt.get(key);
  }

  /** The causes of a miss on `key` with these changed inputs (emits `input.changed` where needed). */
  of(key: string, changed: readonly InputChange[], action: string): number[] {
    const corrupt = this.corrupt.get(key);
    if (corrupt) return [corrupt];
    const seqs = new Set<number>();
    for (const c of changed) {
      const produced = this.producedBy.get(c.path);
      if (produced) { seqs.add(produced); continue; }
      const k = `${c.path}\0${c.after ?? ''}`;
      let seq = this.outside.get(k);
      if (seq === undefined) {
        seq = this.build.emit({ type: 'input.changed', path: c.path, ...(c.before ? { before: c.before } : {}), ...(c.after ? { after: c.after } : {}), firstAction: action }).seq;
        this.outside.set(k, seq);
      }
      seqs.add(seq);
    }
    return [...seqs].sort((x, y) => x - y);
  }
}
