import { explain, ApiError } from './api.js';
import { h, ms, short, type Child } from './dom.js';
import { COLORS, LABELS } from './legend.js';
import type { ActionRec, BuildModel } from './model.js';

/**
 * The panel for one selected action: its decision (where it ran and why: the candidates and
 * scores of `action.scheduled`, then `/api/explain` for the full story), its logs (command,
 * exit, stderr) and its cache story (hit and tier, or the miss reason and the changed inputs).
 */
export class Details {
  onSelect: (i: number) => void = () => {};
  private current?: { build: BuildModel; i: number };
  private explained = new Map<string, Promise<Record<string, unknown> | string>>();

  constructor(private readonly host: HTMLElement) {}

  show(build: BuildModel, i: number): void {
    this.current = { build, i };
    this.render();
  }

  /** Forget a selection from another build (the page switched build or session). */
  keepOnly(build: BuildModel | undefined): void {
    if (!this.current || this.current.build === build) return;
    this.current = undefined;
    this.host.replaceChildren(h('p', { class: 'hint' }, 'Click an action for its decision, log and cache story.'));
  }

  /** Redraw after new events, keeping the same action. */
  refresh(): void {
    if (this.current) this.render();
  }

  private render(): void {
    const { build, i } = this.current!;
    const a = build.actions[i];
    if (!a) return;
    const link = (j: number) => {
      const el = h('a', { href: '#', class: 'action-link' }, build.actions[j]!.id);
      el.addEventListener('click', (e) => { e.preventDefault(); this.onSelect(j); });
      return el;
    };
    const parts: (HTMLElement | undefined)[] = [
      h('h2', { class: 'action-id', 'data-action': a.id }, a.id),
      h('p', {},
        badge(a),
        ` ${a.kind || 'action'} · ${a.target}${a.artifact ? ` · ${a.artifact}` : ''}${a.node ? ` · on ${a.node}` : ''}`),
      h('p', { class: 'times' }, `queued ${rel(build, a.queuedAt)} · started ${rel(build, a.startedAt)} · ended ${rel(build, a.endedAt)}`,
        a.finished ? ` · ran ${ms(a.finished.durationMs)}` : ''),
      section('Decision', this.decision(build, a)),
      section('Cache', cacheStory(a)),
      section('Log', log(a)),
      a.incidents.length ? section('Incidents', h('ul', {}, ...a.incidents.map((ev) => h('li', {}, describe(ev))))) : undefined,
      section('Depends on', a.deps.length ? h('ul', {}, ...a.deps.map((d) => h('li', {}, link(d)))) : 'nothing'),
      section('Used by', a.users.length ? h('ul', {}, ...a.users.map((d) => h('li', {}, link(d)))) : 'nothing'),
    ];
    this.host.replaceChildren(...parts.filter((p): p is HTMLElement => p !== undefined));
  }

  private decision(build: BuildModel, a: ActionRec): HTMLElement {
    const box = h('div', { class: 'decision' });
    const sc = a.scheduled;
    if (sc) {
      const d = a.decision;
      box.append(h('p', {}, sc.node ? `placed on ${sc.node}` : 'no eligible node yet', d ? ` by the ${d.mode} mode (seed ${d.seed})` : ''));
      // The mode's record has the reasons (the factor that cost a node most); the core's has the scores.
      const why = new Map(d?.candidates.map((c) => [c.node, { lost: c.lost, factors: topFactors(c.factors) }]) ?? []);
      const rows = [...sc.candidates].sort((p, q) => (p.filtered ? 1 : 0) - (q.filtered ? 1 : 0) || q.score - p.score);
      box.append(h('table', { class: 'candidates' },
        h('tr', {}, h('th', {}, 'node'), h('th', {}, 'score'), h('th', {}, 'why not'), d ? h('th', {}, 'main factors') : undefined),
        ...rows.map((c) => h('tr', { class: c.node === sc.node ? 'chosen' : '', 'data-node': c.node },
          h('td', {}, c.node), h('td', {}, c.filtered ? '—' : c.score.toFixed(3)),
          h('td', {}, c.filtered ?? (c.node === sc.node ? 'chosen' : why.get(c.node)?.lost ?? '')),
          d ? h('td', {}, why.get(c.node)?.factors ?? '') : undefined))));
    } else if (a.state === 'cached' || a.state === 'uptodate') {
      box.append(h('p', {}, 'not scheduled: the result came from the cache or was already up to date'));
    } else if (a.started) {
      box.append(h('p', {}, `ran on ${a.started.node}; no placement decision was recorded (a build without a farm has one node)`));
    } else {
      box.append(h('p', {}, 'not placed yet'));
    }
    // The API's explanation adds what the journal line does not hold (factors, key parts).
    const more = h('details', { class: 'explain' }, h('summary', {}, 'explain (from /api/explain)'));
    more.addEventListener('toggle', () => {
      if (!more.open || more.dataset.loaded) return;
      more.dataset.loaded = '1';
      const key = `${build.id}\u0000${a.id}`;
      let p = this.explained.get(key);
      if (!p) {
        p = explain(build.id, a.id).catch((e: unknown) => (e instanceof ApiError ? `${e.status}: ${e.message}` : String(e)));
        this.explained.set(key, p);
      }
      void p.then((r) => more.append(h('pre', {}, typeof r === 'string' ? r : JSON.stringify(r, null, 2))));
    });
    box.append(more);
    return box;
  }
}

/** The three factors that weigh most in a candidate's score, as `name value×weight`. */
function topFactors(f: Record<string, { value: number; weight: number }>): string {
  return Object.entries(f)
    .sort(([, p], [, q]) => Math.abs(q.value * q.weight) - Math.abs(p.value * p.weight))
    .slice(0, 3)
    .map(([k, v]) => `${k} ${v.value.toFixed(2)}×${v.weight}`)
    .join(', ');
}

/** The state badge; coloured through the CSSOM (the pages' CSP forbids style attributes). */
function badge(a: ActionRec): HTMLElement {
  const el = h('span', { class: 'badge', 'data-state': a.state }, LABELS[a.state]);
  el.style.background = COLORS[a.state];
  return el;
}

function section(title: string, body: Child): HTMLElement {
  return h('section', { class: 'detail-section', 'data-section': title.toLowerCase() }, h('h3', {}, title), body);
}

function rel(build: BuildModel, t: number | undefined): string {
  return t === undefined ? '—' : `+${ms(t - build.startedAt)}`;
}

function cacheStory(a: ActionRec): HTMLElement {
  const c = a.cache;
  if (a.state === 'uptodate') return h('p', {}, 'up to date: inputs, command and outputs unchanged since the last build; nothing ran');
  if (c?.type === 'cache.hit') {
    return h('p', {}, `hit in tier ${c.tier}: ${c.outputs.length} output(s) restored${c.bytes !== undefined ? `, ${c.bytes} bytes` : ''}; key ${short(c.key)}`);
  }
  if (c?.type === 'cache.miss') {
    return h('div', {},
      h('p', {}, `miss: ${c.reason.replace(/-/g, ' ')}; key ${short(c.key)}${c.previousKey ? ` (was ${short(c.previousKey)})` : ''}`),
      c.changed.length ? h('ul', { class: 'changed' }, ...c.changed.map((ch) => h('li', {}, h('code', {}, ch.path), ` ${short(ch.before)} → ${short(ch.after)}`))) : undefined);
  }
  return h('p', {}, 'no cache lookup recorded');
}

function log(a: ActionRec): HTMLElement {
  const box = h('div', {});
  if (a.started) box.append(h('pre', { class: 'argv' }, `$ ${a.started.argv.join(' ')}`));
  const f = a.finished;
  if (f) {
    box.append(h('p', {}, `exit ${f.exitCode ?? '—'} (${f.status})${f.infrastructure ? ', infrastructure failure' : ''}${f.message ? `: ${f.message}` : ''}`));
    box.append(h('pre', { class: 'stderr' }, f.stderr?.trim() ? f.stderr : '(no stderr)'));
  } else if (a.skipped) {
    box.append(h('p', {}, `skipped: ${a.skipped.because}`));
  } else if (!a.started) {
    box.append(h('p', {}, 'did not run'));
  }
  return box;
}

function describe(ev: ActionRec['incidents'][number]): string {
  if (ev.type === 'action.retry') return `retry ${ev.attempt} away from ${ev.node}: ${ev.reason}`;
  if (ev.type === 'lease.revoked') return `lease on ${ev.node} revoked (epoch ${ev.epoch}): ${ev.reason}`;
  return ev.type;
}
