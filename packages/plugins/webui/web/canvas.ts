/**
 * A canvas that fills its container at the device's pixel ratio and redraws at most once per
 * animation frame however many events arrive (a live build can send thousands a second).
 */
export class Surface {
  readonly canvas = document.createElement('canvas');
  readonly ctx: CanvasRenderingContext2D;
  width = 0;
  height = 0;
  private pending = false;

  constructor(readonly host: HTMLElement, private readonly draw: (ctx: CanvasRenderingContext2D, w: number, h: number) => void) {
    host.append(this.canvas);
    this.ctx = this.canvas.getContext('2d')!;
    new ResizeObserver(() => this.resize()).observe(host);
    this.resize();
  }

  resize(): void {
    const r = this.host.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.width = Math.max(1, Math.floor(r.width));
    this.height = Math.max(1, Math.floor(r.height));
    this.canvas.width = this.width * dpr;
    this.canvas.height = this.height * dpr;
    this.canvas.style.width = `${this.width}px`;
    this.canvas.style.height = `${this.height}px`;
    this.invalidate();
  }

  invalidate(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      const dpr = window.devicePixelRatio || 1;
      this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      this.ctx.clearRect(0, 0, this.width, this.height);
      this.draw(this.ctx, this.width, this.height);
    });
  }

  /** Mouse position in CSS pixels relative to the canvas. */
  local(e: MouseEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }
}

/** Shorten text to fit `max` pixels, with an ellipsis. */
export function fit(ctx: CanvasRenderingContext2D, text: string, max: number): string {
  if (ctx.measureText(text).width <= max) return text;
  let lo = 0, hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(`…${text.slice(text.length - mid)}`).width <= max) lo = mid; else hi = mid - 1;
  }
  return `…${text.slice(text.length - lo)}`;
}
