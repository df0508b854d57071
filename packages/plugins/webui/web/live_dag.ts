import { $, status } from './dom.js';
import { LiveFeed } from './liveFeed.js';
import { PageParts } from './pageParts.js';

/**
 * /ui/live_dag.html[?session=<id>]: the current build as it runs. State comes from the
 * session's journal through the API (backlog, then SSE); see LiveFeed.
 */
const params = new URLSearchParams(location.search);
const feed = new LiveFeed(params.get('session') ?? undefined);
const parts = new PageParts(() => feed.model);
/** Server time of the last event and when it arrived here: "now" without trusting clocks to agree. */
let clock = { server: 0, local: 0 };
let scheduled = false;

function render(): void {
  scheduled = false;
  parts.updatePicker();
  const b = parts.current();
  const m = feed.model;
  const title = $('title');
  if (!b) {
    title.textContent = m.session ? `session ${m.session}: waiting for a build…` : 'waiting for a build…';
    return;
  }
  parts.dag.show(b);
  parts.legend.update(b.counts());
  const now = b.finishedAt ?? clock.server + (performance.now() - clock.local);
  parts.gantt.show(b, [b.startedAt, Math.max(now, b.startedAt + 1000)], now);
  parts.details.refresh();
  title.textContent = `${b.project || 'build'} · ${b.id} · ${b.status ?? 'running'}`;
  title.dataset.status = b.status ?? 'running';
  document.body.dataset.build = b.id;
  const replay = $('replay-link') as HTMLAnchorElement;
  replay.href = `replay.html?session=${encodeURIComponent(m.session ?? '')}`;
}

function invalidate(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(render);
}

feed.onChange = () => {
  const ts = feed.model.lastTs;
  if (ts !== undefined && ts !== clock.server) clock = { server: ts, local: performance.now() };
  invalidate();
};
feed.onStatus = status;
parts.onPick = invalidate;
// Running bars grow with the clock even when no event arrives.
setInterval(() => { if (parts.build && !parts.build.finishedAt) invalidate(); }, 500);

// For scripts and tests: the model the page draws.
(window as unknown as { fester: unknown }).fester = { get model() { return feed.model; }, get build() { return parts.build; }, cellOf: (id: string) => parts.cellOf(id) };

status('connecting…', 'warn');
void feed.start().then(() => { document.body.dataset.ready = '1'; invalidate(); });
