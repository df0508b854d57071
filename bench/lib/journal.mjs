import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The newest session journal under `<project dir>/.fester/sessions/`. */
export function latestJournal(projectDir) {
  const dir = join(projectDir, '.fester', 'sessions');
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'))
    .map((f) => ({ f: join(dir, f), t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  if (!files.length) throw new Error(`no journal in ${dir}`);
  return files[0].f;
}

export function readEvents(path) {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/**
 * The commands Fester ran, in journal order: argv and cwd from `action.started`, outputs and
 * discovered headers from the matching `action.finished`. Paths are relative to the project root.
 */
export function executedCommands(events) {
  const byAction = new Map();
  const order = [];
  for (const ev of events) {
    if (ev.type === 'action.started') {
      const c = { id: ev.action, argv: ev.argv, cwd: ev.cwd, outputs: [], headers: [] };
      byAction.set(ev.action, c);
      order.push(c);
    } else if (ev.type === 'action.finished' && byAction.has(ev.action)) {
      const c = byAction.get(ev.action);
      if (ev.status !== 'success') throw new Error(`action ${ev.action} failed in the reference build`);
      c.outputs = (ev.outputs ?? []).map((o) => o.path);
      c.headers = ev.headers ?? [];
    }
  }
  return order;
}

/** counts from the last `build.finished` event: {total, executed, cached, upToDate, …}. */
export function buildCounts(events) {
  const fin = events.filter((e) => e.type === 'build.finished').at(-1);
  if (!fin) throw new Error('journal has no build.finished event');
  return { status: fin.status, durationMs: fin.durationMs, ...fin.counts };
}
