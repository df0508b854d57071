import { posix } from 'node:path';
import { FesterError, type FesterEvent } from '@fester/core';
import type { TraceInput } from './formats.js';

interface Seen {
  id: string;
  kind?: string;
  target?: string;
  argv?: string[];
  cwd?: string;
  durationMs?: number;
  outputs: string[];
  headers: string[];
  bytes?: number;
}

/**
 * A session journal → a trace of the actions one build executed (cache hits and up-to-date
 * actions took no farm time, so they are not in it). The journal does not list inputs, so
 * dependencies are recovered the way a reader of the log would: an action depends on another
 * when a path the other wrote appears in its command line (objects in a link, archives) or
 * among the headers its compiler reported (generated headers). Runtimes are as measured on the
 * node that ran them; output sizes come from `cache.stored`.
 */
export function traceFromJournal(events: readonly FesterEvent[], build?: string, name?: string): TraceInput {
  const builds = [...new Set(events.filter((e) => e.type === 'action.finished' && e.status === 'success' && e.node).map((e) => e.build ?? ''))];
  const chosen = build ?? builds[builds.length - 1];
  if (chosen === undefined || (build !== undefined && !builds.includes(build))) {
    throw new FesterError('FE1024', { message: build ? `build ${build} executed no action in this journal` : 'no build in this journal executed an action (all were cache hits or up to date)' });
  }
  const seen = new Map<string, Seen>();
  const get = (id: string) => { let s = seen.get(id); if (!s) seen.set(id, (s = { id, outputs: [], headers: [] })); return s; };
  for (const e of events) {
    if ((e.build ?? '') !== chosen) continue;
    switch (e.type) {
      case 'action.queued': Object.assign(get(e.action), { kind: e.kind, target: e.target }); break;
      case 'action.started': Object.assign(get(e.action), { argv: e.argv, cwd: e.cwd }); break;
      case 'action.finished':
        if (e.status === 'success' && e.node) Object.assign(get(e.action), { durationMs: e.durationMs, outputs: (e.outputs ?? []).map((o) => o.path), headers: e.headers ?? [] });
        break;
      case 'cache.stored': get(e.action).bytes = e.bytes; break;
      default: break;
    }
  }
  const ran = [...seen.values()].filter((s) => s.durationMs !== undefined);
  const producer = new Map<string, string>();
  for (const s of ran) for (const o of s.outputs) producer.set(posix.normalize(o), s.id);
  const actions: TraceInput['actions'] = ran.map((s) => {
    const deps = new Set<string>();
    const consider = (p: string) => {
      for (const cand of [p, posix.join(s.cwd ?? '.', p)]) {
        const d = producer.get(posix.normalize(cand));
        if (d && d !== s.id) deps.add(d);
      }
    };
    for (const tok of s.argv ?? []) {
      // `-obuild/x.o`, `-Iinclude` style joined options name paths too.
      consider(tok);
      if (/^-[oIL]./.test(tok)) consider(tok.slice(2));
    }
    for (const h of s.headers) consider(h);
    const kind = (['compile', 'archive', 'link', 'custom'] as const).find((k) => k === s.kind) ?? 'custom';
    return { id: s.id, kind, target: s.target ?? s.id.split('/')[0] ?? 'host', durationMs: s.durationMs!, deps: [...deps].sort(), outputBytes: s.bytes ?? 0 };
  });
  return { version: 1, name: name ?? `session ${events[0]?.session ?? ''} build ${chosen}`.trim(), actions };
}
