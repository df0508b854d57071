import type { FesterEvent } from '@fester/core';
import { FarmView } from './farmView.js';

export interface Running { action: string; node: string; startedAt: number }
export interface Failure { action: string; message: string; stderr: string }

/** What the dashboard shows, folded from journal events (kept apart from React for testing). */
export class DashboardState {
  project = '';
  total = 0;
  settled = 0;
  executed = 0;
  hits = 0;
  upToDate = 0;
  misses = 0;
  running = new Map<string, Running>();
  failures: Failure[] = [];
  finished?: { status: string; durationMs: number };
  /** Watch mode: the summary of the previous build. */
  lastSummary?: string;
  /** Nodes, their temperatures and throttles, and actions waiting for a node. */
  readonly farm = new FarmView();
  private listeners = new Set<() => void>();

  apply(ev: FesterEvent): void {
    const farm = this.farm.apply(ev);
    if (this.fold(ev) || farm) for (const l of this.listeners) l();
  }

  /** The build's counters; returns whether they changed. */
  private fold(ev: FesterEvent): boolean {
    switch (ev.type) {
      case 'build.started':
        // Each build of a watch starts from zero; the previous summary stays until this one ends.
        Object.assign(this, { total: 0, settled: 0, executed: 0, hits: 0, upToDate: 0, misses: 0, failures: [], finished: undefined });
        this.running.clear();
        break;
      case 'graph.resolved': this.project = ev.project; this.total = ev.actions; break;
      case 'action.uptodate': this.settled++; this.upToDate++; break;
      case 'cache.hit': this.settled++; this.hits++; break;
      case 'cache.miss': this.misses++; break;
      // A speculative duplicate's start: the action keeps its first node and start time.
      case 'action.started': if (!this.running.has(ev.action)) this.running.set(ev.action, { action: ev.action, node: ev.node, startedAt: ev.ts }); break;
      case 'action.finished':
        this.running.delete(ev.action);
        this.settled++;
        if (ev.status === 'success') this.executed++;
        else this.failures.push({ action: ev.action, message: ev.message ?? `exit ${ev.exitCode}`, stderr: ev.stderr ?? '' });
        break;
      case 'build.finished': this.finished = { status: ev.status, durationMs: ev.durationMs }; break;
      default: return false;
    }
    return true;
  }

  /** Share of looked-up actions that the cache served. */
  hitRatio(): number {
    const asked = this.hits + this.misses;
    return asked === 0 ? 0 : this.hits / asked;
  }

  /** Ask subscribers to redraw after a change made outside apply(). */
  touch(): void {
    for (const l of this.listeners) l();
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
