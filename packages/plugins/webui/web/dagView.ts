import { fit, Surface } from './canvas.js';
import { HEADER, layoutBuild, type Group, type Layout } from './layout.js';
import { COLORS } from './legend.js';
import { STATES, type BuildModel } from './model.js';

type Hit = { kind: 'action'; i: number } | { kind: 'group'; g: Group };

/**
 * The DAG on one canvas: pan by dragging, zoom with the wheel, click an action to select it,
 * click a group's header to collapse or expand it. Only what is on screen is drawn, and
 * labels only where they are legible, so a 10k-action build redraws in a few milliseconds.
 */
export class DagView {
  readonly surface: Surface;
  readonly collapsed = new Set<string>();
  onSelect: (i: number) => void = () => {};
  selected = -1;
  private build?: BuildModel;
  private layout?: Layout;
  private structure = -1;
  private scale = 1;
  private tx = 0;
  private ty = 0;
  /** Until the user pans or zooms, every new layout is fitted to the view. */
  private moved = false;

  constructor(host: HTMLElement) {
    this.surface = new Surface(host, (ctx, w, h) => this.draw(ctx, w, h));
    const c = this.surface.canvas;
    let drag: { x: number; y: number; moved: boolean } | undefined;
    c.addEventListener('mousedown', (e) => { drag = { x: e.clientX, y: e.clientY, moved: false }; });
    window.addEventListener('mousemove', (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      if (!drag.moved) return;
      this.tx += dx; this.ty += dy;
      this.moved = true;
      drag.x = e.clientX; drag.y = e.clientY;
      this.surface.invalidate();
    });
    window.addEventListener('mouseup', (e) => {
      const click = drag && !drag.moved;
      drag = undefined;
      if (click && e.target === c) this.click(this.surface.local(e));
    });
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      const p = this.surface.local(e);
      const k = Math.exp(-e.deltaY * 0.0015);
      const s = Math.min(8, Math.max(0.02, this.scale * k));
      this.tx = p.x - ((p.x - this.tx) * s) / this.scale;
      this.ty = p.y - ((p.y - this.ty) * s) / this.scale;
      this.scale = s;
      this.moved = true;
      this.surface.invalidate();
    }, { passive: false });
  }

  /** Show a build; lays out again only when its actions or edges changed. */
  show(b: BuildModel): void {
    if (b !== this.build || b.structure !== this.structure) {
      if (b !== this.build) this.moved = false;
      this.build = b;
      this.structure = b.structure;
      this.layout = layoutBuild(b, this.collapsed);
      if (!this.moved) this.fit();
    }
    this.surface.invalidate();
  }

  fit(): void {
    const l = this.layout;
    if (!l || l.groups.length === 0) return;
    this.moved = false;
    const { width: w, height: h } = this.surface;
    this.scale = Math.min(2, Math.max(0.02, Math.min(w / l.width, h / l.height) * 0.95));
    this.tx = (w - l.width * this.scale) / 2;
    this.ty = (h - l.height * this.scale) / 2;
    this.surface.invalidate();
  }

  /** Select an action and bring it into view (from the search box or another view). */
  focus(i: number): void {
    this.selected = i;
    const l = this.layout;
    if (l && this.build) {
      const g = l.groups[l.groupOf[i]!]!;
      if (g.collapsed) this.toggle(g);
      const x = this.layout!.ax[i]!, y = this.layout!.ay[i]!;
      this.scale = Math.max(this.scale, 0.8);
      this.moved = true;
      this.tx = this.surface.width / 2 - x * this.scale;
      this.ty = this.surface.height / 2 - y * this.scale;
    }
    this.surface.invalidate();
  }

  /** Where action `i` is drawn now (its cell, page CSS pixels); undefined inside a collapsed group. */
  cellRect(i: number): { x: number; y: number; w: number; h: number } | undefined {
    const l = this.layout;
    const g = l && l.groups[l.groupOf[i]!];
    if (!l || !g || g.collapsed) return undefined;
    const r = this.surface.canvas.getBoundingClientRect();
    return { x: r.left + this.tx + l.ax[i]! * this.scale, y: r.top + this.ty + l.ay[i]! * this.scale, w: g.cellW * this.scale, h: g.cellH * this.scale };
  }

  private toggle(g: Group): void {
    if (this.collapsed.has(g.key)) this.collapsed.delete(g.key); else this.collapsed.add(g.key);
    this.layout = layoutBuild(this.build!, this.collapsed);
    this.surface.invalidate();
  }

  private click(p: { x: number; y: number }): void {
    const hit = this.hit((p.x - this.tx) / this.scale, (p.y - this.ty) / this.scale);
    if (hit?.kind === 'group') this.toggle(hit.g);
    else if (hit?.kind === 'action') { this.selected = hit.i; this.onSelect(hit.i); this.surface.invalidate(); }
  }

  private hit(x: number, y: number): Hit | undefined {
    const l = this.layout;
    if (!l) return undefined;
    for (const g of l.groups) {
      if (x < g.x || x > g.x + g.w || y < g.y || y > g.y + g.h) continue;
      if (y < g.y + HEADER || g.collapsed) return { kind: 'group', g };
      for (const i of g.members) {
        const ax = l.ax[i]!, ay = l.ay[i]!;
        if (x >= ax && x <= ax + g.cellW && y >= ay && y <= ay + g.cellH) return { kind: 'action', i };
      }
      return undefined;
    }
    return undefined;
  }

  private draw(ctx: CanvasRenderingContext2D, w: number, h: number): void {
    const l = this.layout, b = this.build;
    if (!l || !b) return;
    const s = this.scale;
    ctx.save();
    ctx.translate(this.tx, this.ty);
    ctx.scale(s, s);
    const vx0 = -this.tx / s, vy0 = -this.ty / s, vx1 = vx0 + w / s, vy1 = vy0 + h / s;
    // Many group edges: lighter, so they do not hide the cells.
    ctx.globalAlpha = l.edges.length > 60 ? 0.35 : 1;
    ctx.strokeStyle = '#9aa3b2';
    ctx.lineWidth = 1.2 / s;
    for (const e of l.edges) {
      if (e.points.length < 2) continue;
      ctx.beginPath();
      e.points.forEach((p, k) => (k ? ctx.lineTo(p.x, p.y) : ctx.moveTo(p.x, p.y)));
      ctx.stroke();
      const [p, q] = [e.points[e.points.length - 2]!, e.points[e.points.length - 1]!];
      const a = Math.atan2(q.y - p.y, q.x - p.x);
      ctx.beginPath();
      ctx.moveTo(q.x, q.y);
      ctx.lineTo(q.x - 8 * Math.cos(a - 0.4), q.y - 8 * Math.sin(a - 0.4));
      ctx.lineTo(q.x - 8 * Math.cos(a + 0.4), q.y - 8 * Math.sin(a + 0.4));
      ctx.fillStyle = '#9aa3b2';
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    for (const g of l.groups) {
      if (g.x > vx1 || g.x + g.w < vx0 || g.y > vy1 || g.y + g.h < vy0) continue;
      this.drawGroup(ctx, g, l, b, s, [vx0, vy0, vx1, vy1]);
    }
    if (this.selected >= 0 && this.selected < b.actions.length) this.drawSelection(ctx, l, b, s);
    ctx.restore();
  }

  private drawGroup(ctx: CanvasRenderingContext2D, g: Group, l: Layout, b: BuildModel, s: number, v: number[]): void {
    ctx.fillStyle = '#ffffff';
    ctx.strokeStyle = '#c3c9d4';
    ctx.lineWidth = 1 / s;
    ctx.fillRect(g.x, g.y, g.w, g.h);
    ctx.strokeRect(g.x, g.y, g.w, g.h);
    if (s * 12 >= 6) {
      ctx.fillStyle = '#1f2937';
      ctx.font = '600 12px system-ui, sans-serif';
      ctx.textBaseline = 'middle';
      ctx.fillText(fit(ctx, `${g.collapsed ? '▸' : '▾'} ${g.label} (${g.members.length})`, g.w - 10), g.x + 6, g.y + HEADER / 2);
    }
    if (g.collapsed) {
      // One bar per state, proportional to its count.
      const counts = new Map<string, number>();
      for (const i of g.members) counts.set(b.actions[i]!.state, (counts.get(b.actions[i]!.state) ?? 0) + 1);
      let x = g.x + 6;
      const bw = g.w - 12;
      for (const st of STATES) {
        const c = counts.get(st) ?? 0;
        if (!c) continue;
        ctx.fillStyle = COLORS[st];
        ctx.fillRect(x, g.y + HEADER, (bw * c) / g.members.length, 16);
        x += (bw * c) / g.members.length;
      }
      return;
    }
    const labels = g.detailed && s * g.cellH >= 9;
    ctx.font = '11px ui-monospace, monospace';
    for (const i of g.members) {
      const x = l.ax[i]!, y = l.ay[i]!;
      if (x > v[2]! || x + g.cellW < v[0]! || y > v[3]! || y + g.cellH < v[1]!) continue;
      const a = b.actions[i]!;
      ctx.fillStyle = COLORS[a.state];
      ctx.fillRect(x, y, g.cellW, g.cellH);
      if (labels) {
        ctx.fillStyle = a.state === 'running' || a.state === 'failed' || a.state === 'cached' ? '#ffffff' : '#111827';
        ctx.fillText(fit(ctx, a.id.slice(a.target.length + 1), g.cellW - 8), x + 4, y + g.cellH / 2);
      }
    }
  }

  private drawSelection(ctx: CanvasRenderingContext2D, l: Layout, b: BuildModel, s: number): void {
    const a = b.actions[this.selected]!;
    const center = (i: number): [number, number] | undefined => {
      const g = l.groups[l.groupOf[i]!]!;
      if (g.collapsed) return [g.x + g.w / 2, g.y + g.h / 2];
      return [l.ax[i]! + g.cellW / 2, l.ay[i]! + g.cellH / 2];
    };
    const me = center(a.i)!;
    ctx.lineWidth = 1.5 / s;
    for (const [list, color] of [[a.deps, '#0f766e'], [a.users, '#b45309']] as const) {
      ctx.strokeStyle = color;
      for (const d of list) {
        const p = center(d);
        if (!p) continue;
        ctx.beginPath(); ctx.moveTo(p[0], p[1]); ctx.lineTo(me[0], me[1]); ctx.stroke();
      }
    }
    const g = l.groups[l.groupOf[a.i]!]!;
    if (!g.collapsed) {
      ctx.strokeStyle = '#111827';
      ctx.lineWidth = 2.5 / s;
      ctx.strokeRect(l.ax[a.i]! - 1.5 / s, l.ay[a.i]! - 1.5 / s, g.cellW + 3 / s, g.cellH + 3 / s);
    }
  }
}
