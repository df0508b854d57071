import type { FesterEvent } from '@fester/core';
import { closeLoser, RunningTracker } from '@fester/plugin-scheduler';
import { schedulerLine } from '../reporters/schedulerLines.js';

/** One node as the dashboard shows it: what runs there, its temperature and any throttle. */
export interface NodeView {
  id: string;
  running: number;
  celsius?: number;
  /** Thermal state from `node.temperature` (ok, near, hot). */
  state?: 'ok' | 'near' | 'hot';
  /** Active throttles by rule, each with its one-line reason. */
  throttles: Map<string, string>;
}

/** Notices kept on screen: the last few thermal and scheduler lines. */
const NOTICES = 4;

/**
 * The farm side of the dashboard, folded from journal events: per-node load and thermal
 * state, the actions no node can take now and why (every candidate filtered — a hot board,
 * a drained node), and the thermal/scheduler notices the plain reporter prints as lines.
 * Without it a build waiting for a node to cool looks hung on a terminal.
 */
export class FarmView {
  readonly nodes = new Map<string, NodeView>();
  /** action → why no node takes it (from its last `schedule.decision` with no node chosen). */
  readonly waiting = new Map<string, string>();
  readonly notices: string[] = [];
  /** What runs where (a speculative duplicate is a second run of one action). */
  private runs = new RunningTracker();

  /** Returns whether the view changed. */
  apply(ev: FesterEvent): boolean {
    const notice = schedulerLine(ev);
    if (notice) { this.notices.push(notice); if (this.notices.length > NOTICES) this.notices.shift(); }
    switch (ev.type) {
      case 'build.started':
        for (const id of ev.nodes) this.node(id);
        for (const n of this.nodes.values()) n.running = 0;
        this.runs = new RunningTracker();
        this.waiting.clear();
        return true;
      case 'schedule.decision':
        if (ev.chosen) this.waiting.delete(ev.action);
        else this.waiting.set(ev.action, whyWaiting(ev.candidates));
        return true;
      case 'action.started':
        this.waiting.delete(ev.action);
        this.runs.started(ev.action, ev.node, ev.ts);
        this.count(ev.node);
        return true;
      // Every attempt ends with its own action.finished (a retry's too); a speculation's loser with speculation.settled.
      case 'action.finished':
        this.waiting.delete(ev.action);
        this.runs.finished(ev.action, ev.node);
        this.count(ev.node);
        return true;
      case 'speculation.settled':
        closeLoser(ev, this.runs);
        this.count(ev.loser);
        return true;
      case 'cache.hit': case 'action.uptodate': return this.waiting.delete(ev.action);
      case 'node.temperature': {
        const n = this.node(ev.node);
        n.celsius = ev.celsius;
        n.state = ev.state;
        return true;
      }
      case 'node.throttled': {
        const n = this.node(ev.node);
        if (ev.celsius !== undefined) n.celsius = ev.celsius;
        n.throttles.set(ev.rule, throttleText(ev));
        return true;
      }
      case 'node.unthrottled': {
        const n = this.node(ev.node);
        if (ev.celsius !== undefined) n.celsius = ev.celsius;
        n.throttles.delete(ev.rule);
        return true;
      }
      default:
        return notice !== undefined;
    }
  }

  private node(id: string): NodeView {
    let n = this.nodes.get(id);
    if (!n) this.nodes.set(id, (n = { id, running: 0, throttles: new Map() }));
    return n;
  }

  private count(id: string): void {
    if (id) this.node(id).running = this.runs.count(id);
  }
}

function throttleText(ev: Extract<FesterEvent, { type: 'node.throttled' }>): string {
  if (ev.rule === 'max') return `hot: no new work until < ${ev.releaseCelsius} °C`;
  if (ev.rule === 'near') return `near max: ${ev.slots} slot${ev.slots === 1 ? '' : 's'}`;
  return 'sustained load: no parallel: high';
}

/** The filters of a decision that placed nothing, as one line: each distinct reason with its nodes. */
function whyWaiting(candidates: readonly { node: string; filtered?: string }[]): string {
  const byReason = new Map<string, string[]>();
  for (const c of candidates) {
    const reason = c.filtered ?? 'no score';
    const nodes = byReason.get(reason);
    if (nodes) nodes.push(c.node);
    else byReason.set(reason, [c.node]);
  }
  return [...byReason].map(([reason, nodes]) => `${nodes.join(', ')}: ${reason}`).join('; ');
}
