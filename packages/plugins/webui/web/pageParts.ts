import { DagView } from './dagView.js';
import { Details } from './details.js';
import { $, h } from './dom.js';
import { GanttView } from './gantt.js';
import { Legend } from './legend.js';
import type { BuildModel, SessionModel } from './model.js';

/**
 * What both pages show: the DAG, node lanes, the legend with counts, the details of the
 * selected action, a build picker and a search box (10k cells are not for hunting by eye).
 */
export class PageParts {
  readonly dag = new DagView($('dag'));
  readonly gantt = new GanttView($('lanes'));
  readonly details = new Details($('details'));
  readonly legend = new Legend($('legend'));
  /** The build the user picked; undefined follows the newest. */
  picked?: string;
  build?: BuildModel;
  onPick: () => void = () => {};
  /** The build to show when none is picked; default: the newest. */
  fallback: (m: SessionModel) => BuildModel | undefined = (m) => m.latest();

  constructor(private readonly model: () => SessionModel) {
    const select = (i: number) => {
      if (!this.build) return;
      this.dag.focus(i);
      this.gantt.selected = i;
      this.gantt.surface.invalidate();
      this.details.show(this.build, i);
    };
    this.dag.onSelect = select;
    this.gantt.onSelect = select;
    this.details.onSelect = select;
    $('fit').addEventListener('click', () => this.dag.fit());
    const search = $('search') as HTMLInputElement;
    search.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' || !this.build) return;
      const i = findAction(this.build, search.value.trim());
      search.classList.toggle('notfound', i < 0);
      if (i >= 0) select(i);
    });
    $('build').addEventListener('change', (e) => {
      const v = (e.target as HTMLSelectElement).value;
      this.picked = v || undefined;
      this.onPick();
    });
  }

  /** Where the DAG draws an action of the build on screen (for scripts and the browser tests). */
  cellOf(id: string): { x: number; y: number; w: number; h: number } | undefined {
    const a = this.build?.byId.get(id);
    return a ? this.dag.cellRect(a.i) : undefined;
  }

  /** The build on screen: the picked one, else the newest. */
  current(): BuildModel | undefined {
    const m = this.model();
    this.build = (this.picked && m.builds.get(this.picked)) || this.fallback(m);
    this.details.keepOnly(this.build);
    return this.build;
  }

  /** Keep the picker in step with the session's builds. */
  updatePicker(): void {
    const sel = $('build') as HTMLSelectElement;
    const ids = this.model().announced().map((b) => b.id);
    if (sel.options.length === ids.length + 1) return;
    sel.replaceChildren(h('option', { value: '' }, 'newest build'), ...ids.map((id) => h('option', { value: id }, id)));
    sel.value = this.picked ?? '';
  }
}

/** Exact id, else a unique id ending in `/query`, else the first id containing it; -1 if none. */
export function findAction(b: BuildModel, query: string): number {
  if (!query) return -1;
  const exact = b.byId.get(query);
  if (exact) return exact.i;
  const suffix = b.actions.filter((a) => a.id.endsWith(`/${query}`));
  if (suffix.length >= 1) return suffix[0]!.i;
  return b.actions.find((a) => a.id.includes(query))?.i ?? -1;
}
