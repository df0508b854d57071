import { builds, timeline } from './api.js';
import { $, h, ms, status } from './dom.js';
import type { FesterEvent } from './events.js';
import { SessionModel } from './model.js';
import { PageParts } from './pageParts.js';

/**
 * /ui/replay.html?session=<id>: a finished (or running) session from its full timeline
 * (`/api/replay/<id>`). Two models: `full` has every event (the Gantt chart of the whole
 * session); `atT` has the events up to time t (DAG state and node lanes at t). Scrubbing
 * forward applies the next events; scrubbing back resets `atT` and applies from the start,
 * which for 10k actions (~50k events) is a few milliseconds.
 */
const params = new URLSearchParams(location.search);
const session = params.get('session');
const full = new SessionModel();
const atT = new SessionModel();
let events: FesterEvent[] = [];
let next = 0;
let t = 0;
let range: [number, number] = [0, 1];
let playing = false;
let last = 0;
const parts = new PageParts(() => atT);
const scrub = $('scrub') as HTMLInputElement;

function seek(to: number): void {
  t = Math.min(range[1], Math.max(range[0], to));
  if (next > 0 && events[next - 1]!.ts > t) { atT.reset(); next = 0; }
  while (next < events.length && events[next]!.ts <= t) atT.apply(events[next++]!);
  render();
}

function render(): void {
  parts.updatePicker();
  const b = parts.current();
  scrub.value = String(Math.round(t - range[0]));
  $('time').textContent = `${ms(t - range[0])} / ${ms(range[1] - range[0])}`;
  document.body.dataset.t = String(Math.round(t - range[0]));
  if (!b) return;
  parts.dag.show(b);
  parts.legend.update(b.counts());
  const fb = full.builds.get(b.id)!;
  parts.gantt.show(fb, [fb.startedAt, fb.finishedAt ?? range[1]], t, t);
  parts.details.refresh();
  $('title').textContent = `${b.project || 'build'} · ${b.id} · ${full.builds.get(b.id)?.status ?? 'running'}`;
  lanesAt();
}

/** Node lanes at t as text: which actions each node is running at that moment. */
function lanesAt(): void {
  const rows = [...parts.gantt.runningAt(t)].map(([node, list]) =>
    h('li', { 'data-node': node }, h('b', {}, node), `: ${list.length ? list.map((i) => atT.builds.get(parts.build!.id)!.actions[i]!.id).join(', ') : 'idle'}`));
  $('at-t').replaceChildren(...rows);
}

function tick(now: number): void {
  if (!playing) return;
  const speed = Number(($('speed') as HTMLSelectElement).value);
  seek(t + (now - last) * speed);
  last = now;
  if (t >= range[1]) setPlaying(false);
  else requestAnimationFrame(tick);
}

function setPlaying(on: boolean): void {
  playing = on;
  $('play').textContent = on ? '❚❚ pause' : '▶ play';
  document.body.dataset.playing = on ? '1' : '';
  if (on) {
    if (t >= range[1]) seek(range[0]);
    last = performance.now();
    requestAnimationFrame(tick);
  }
}

async function listSessions(): Promise<void> {
  $('title').textContent = 'pick a session to replay';
  const list = await builds();
  const sessions = [...new Set(list.map((b) => b.session))].reverse();
  $('details').replaceChildren(h('h2', {}, 'Sessions'), h('ul', {}, ...sessions.map((s) => h('li', {}, h('a', { href: `replay.html?session=${encodeURIComponent(s)}` }, s)))));
}

async function main(): Promise<void> {
  if (!session) { await listSessions(); document.body.dataset.ready = '1'; return; }
  status(`loading session ${session}…`, 'warn');
  const tl = await timeline(session);
  events = tl.events.sort((a, b) => a.seq - b.seq);
  for (const ev of events) { full.apply(ev); atT.apply(ev); }
  if (!events.length) { status(`session ${session} has no events`, 'warn'); return; }
  range = [events[0]!.ts, events[events.length - 1]!.ts];
  scrub.max = String(range[1] - range[0]);
  parts.gantt.future = true;
  parts.gantt.onSeek = seek;
  parts.onPick = () => render();
  // Unpicked, show the build that had started by t (a session can hold several).
  // Before the first build started: that build, all pending (a rewind keeps the graph).
  parts.fallback = (m) => m.announced().filter((b) => full.builds.get(b.id)!.startedAt <= t).at(-1) ?? m.builds.get(full.announced()[0]?.id ?? '');
  scrub.addEventListener('input', () => { setPlaying(false); seek(range[0] + Number(scrub.value)); });
  $('play').addEventListener('click', () => setPlaying(!playing));
  $('live-link').setAttribute('href', `live_dag.html?session=${encodeURIComponent(session)}`);
  // A torn journal (its writer crashed mid-line) replays up to the tear; say so.
  const damage = [tl.torn ? 'journal torn: replayed up to the tear' : '', tl.badLines ? `${tl.badLines} unreadable line(s) skipped` : ''].filter(Boolean).join('; ');
  status(`${events.length} events${damage ? ` (${damage})` : ''}`, damage ? 'warn' : 'ok');
  // Open at the end: the finished state; press play to watch it from the start.
  seek(range[1]);
  document.body.dataset.ready = '1';
}

(window as unknown as { fester: unknown }).fester = { seek: (ms: number) => seek(range[0] + ms), get model() { return atT; }, get range() { return range; }, cellOf: (id: string) => parts.cellOf(id) };
main().catch((e: unknown) => status(`cannot replay: ${(e as Error).message}`, 'error'));
