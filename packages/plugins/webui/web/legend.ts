import { STATES, type ActionState } from './model.js';

export const COLORS: Record<ActionState, string> = {
  pending: '#d5d9e0',
  queued: '#f2c14e',
  running: '#3b82f6',
  cached: '#8b5cf6',
  uptodate: '#9ca3af',
  done: '#22c55e',
  failed: '#ef4444',
  skipped: '#f9a8d4',
};

export const LABELS: Record<ActionState, string> = {
  pending: 'pending',
  queued: 'queued',
  running: 'running',
  cached: 'cached',
  uptodate: 'up-to-date',
  done: 'done',
  failed: 'failed',
  skipped: 'skipped',
};

/**
 * The colour key with live counts. Each entry carries `data-state` and `data-count`, which is
 * also what the browser tests read.
 */
export class Legend {
  private readonly spans = new Map<ActionState, HTMLElement>();

  constructor(host: HTMLElement) {
    host.classList.add('legend');
    for (const s of STATES) {
      const el = document.createElement('span');
      el.className = 'legend-item';
      el.dataset.state = s;
      // Colours through the CSSOM, not a style attribute: the pages' CSP has no 'unsafe-inline'.
      const swatch = document.createElement('i');
      swatch.style.background = COLORS[s];
      el.append(swatch, document.createElement('b'));
      host.append(el);
      this.spans.set(s, el);
    }
  }

  update(counts: Record<ActionState, number>): void {
    for (const s of STATES) {
      const el = this.spans.get(s)!;
      el.dataset.count = String(counts[s]);
      el.querySelector('b')!.textContent = `${LABELS[s]} ${counts[s]}`;
      el.classList.toggle('zero', counts[s] === 0);
    }
  }
}
