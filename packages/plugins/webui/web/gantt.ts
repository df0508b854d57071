import { fit, Surface } from './canvas.js';
import { COLORS } from './legend.js';
import type { BuildModel } from './model.js';

const AXIS = 20;
const LABEL_W = 130;
const ROW = 14;
const LANE_GAP = 8;

interface Bar { i: number; start: number; end?: number; row: number }
interface Lane { node: string; rows: number; bars: Bar[]; y: number }

/**
 * Node lanes as a Gantt chart: one lane per node, one bar per executed action from start to
 * end (still running: to `now`), packed into as many rows as the node ran actions at once.
 * Clicking a bar selects its action; clicking the time axis seeks (the replay's scrubber).
 */
export class GanttView {
  readonly surface: Surface;
  onSelect: (i: number) => void = () => {};
  onSeek?: (t: number) => void;
  selected = -1;
  private build?: BuildModel;
  private range: [number, number] = [0, 1];
  private now = 0;
  private cursor?: number;
  private lanes: Lane[] = [];
  private scrollY = 0;
  /** Draw what happens after `now` too, faded (the replay shows the whole session). */
  future = false;

  constructor(host: HTMLElement) {
    this.surface = new Surface(host, (ctx, w, h) => this.draw(ctx, w, h));
    const c = this.surface.canvas;
    c.addEventListener('click', (e) => this.click(this.surface.local(e)));
    c.addEventListener('wheel', (e) => {
      const content = this.lanes.reduce((h, l) => h + l.rows * ROW + LANE_GAP, AXIS);
      this.scrollY = Math.max(0, Math.min(content - this.surface.height, this.scrollY + e.deltaY));
      e.preventDefault();
      this.surface.invalidate();
    }, { passive: false });
  }

  /** `now`: where running bars end (the clock, or the replay's time t, also drawn as a line). */
  show(b: BuildModel, range: [number, number], now: number, cursor?: number): void {
    this.build = b;
    this.range = range[1] > range[0] ? range : [range[0], range[0] + 1];
    this.now = now;
    this.cursor = cursor;
    this.lanes = pack(b);
    this.surface.invalidate();
  }

  /** Node → actions running at time t (the replay's "node lanes at t"). */
  runningAt(t: number): Map<string, number[]> {
    const m = new Map<string, number[]>();
    for (const l of this.lanes) m.set(l.node, l.bars.filter((b) => b.start <= t && (b.end ?? Infinity) > t).map((b) => b.i));
    return m;
  }

  private x(t: number, w: number): number {
    return LABEL_W + ((t - this.range[0]) / (this.range[1] - this.range[0])) * (w - LABEL_W - 10);
  }

  private click(p: { x: number; y: number }): void {
    const w = this.surface.width;
    if (p.x > LABEL_W && (p.y < AXIS || !this.build) && this.onSeek) {
      this.onSeek(this.range[0] + ((p.x - LABEL_W) / (w - LABEL_W - 10)) * (this.range[1] - this.range[0]));
      return;
    }
    const y = p.y + this.scrollY;
    for (const l of this.lanes) {
      for (const b of l.bars) {
        const by = l.y + b.row * ROW;
        const x0 = this.x(b.start, w), x1 = Math.max(x0 + 2, this.x(b.end ?? this.now, w));
        if (p.x >= x0 && p.x <= x1 && y >= by && y <= by + ROW - 2) { this.selected = b.i; this.onSelect(b.i); this.surface.invalidate(); return; }
      }
    }
  }

  private draw(ctx: CanvasRenderingContext2D, w: number, h: number): void {
    const b = this.build;
    if (!b) return;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    let y = AXIS - this.scrollY;
    for (const l of this.lanes) {
      l.y = y + this.scrollY;
      const lh = l.rows * ROW;
      if (y + lh >= AXIS && y <= h) {
        ctx.fillStyle = '#f3f4f6';
        ctx.fillRect(0, y, w, lh);
        ctx.fillStyle = '#111827';
        const running = l.bars.filter((x) => x.start <= this.now && (x.end ?? Infinity) > this.now).length;
        ctx.fillText(fit(ctx, `${l.node} · ${running} running`, LABEL_W - 8), 4, y + Math.min(lh, ROW) / 2);
        for (const bar of l.bars) {
          if (bar.start > this.now && !this.future) continue;
          const a = b.actions[bar.i]!;
          const end = this.future ? bar.end ?? this.now : Math.min(bar.end ?? this.now, this.now);
          const x0 = this.x(bar.start, w), x1 = Math.max(x0 + 2, this.x(end, w));
          const by = y + bar.row * ROW;
          ctx.fillStyle = bar.start > this.now ? '#d1d5db' : bar.end !== undefined && bar.end <= this.now ? COLORS[a.state] : COLORS.running;
          ctx.fillRect(x0, by + 1, x1 - x0, ROW - 3);
          if (bar.i === this.selected) { ctx.strokeStyle = '#111827'; ctx.lineWidth = 2; ctx.strokeRect(x0, by, x1 - x0, ROW - 1); }
          if (x1 - x0 > 40) { ctx.fillStyle = '#fff'; ctx.fillText(fit(ctx, a.id.slice(a.target.length + 1), x1 - x0 - 6), x0 + 3, by + ROW / 2); }
        }
      }
      y += lh + LANE_GAP;
    }
    // Time axis on top of the lanes, seconds since the build started.
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, w, AXIS);
    ctx.fillStyle = '#4b5563';
    const span = (this.range[1] - this.range[0]) / 1000;
    const step = [0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600].find((s) => span / s <= 10) ?? 7200;
    for (let s = 0; s <= span; s += step) {
      const x = this.x(this.range[0] + s * 1000, w);
      ctx.fillRect(x, AXIS - 5, 1, 5);
      ctx.fillText(`${+s.toFixed(1)}s`, x + 2, AXIS / 2 - 1);
    }
    if (this.cursor !== undefined) {
      const x = this.x(this.cursor, w);
      ctx.fillStyle = '#dc2626';
      ctx.fillRect(x - 1, 0, 2, h);
    }
  }
}

/** Lanes by node, each bar in the first row free at its start (greedy interval packing). */
function pack(b: BuildModel): Lane[] {
  const byNode = new Map<string, Bar[]>();
  for (const n of b.nodes) byNode.set(n, []);
  for (const a of b.actions) {
    if (a.startedAt === undefined || !a.node) continue;
    let list = byNode.get(a.node);
    if (!list) byNode.set(a.node, (list = []));
    list.push({ i: a.i, start: a.startedAt, end: a.endedAt, row: 0 });
  }
  const lanes: Lane[] = [];
  for (const [node, bars] of byNode) {
    bars.sort((p, q) => p.start - q.start);
    const ends: number[] = [];
    for (const bar of bars) {
      let r = ends.findIndex((e) => e <= bar.start);
      if (r < 0) { r = ends.length; ends.push(0); }
      ends[r] = bar.end ?? Infinity;
      bar.row = r;
    }
    lanes.push({ node, rows: Math.max(1, ends.length), bars, y: 0 });
  }
  return lanes;
}
