import { graphOf, type EventOf, type FesterEvent, type GraphData } from './events.js';

/** What the pages colour an action by; `pending` = in the graph, nothing happened yet. */
export const STATES = ['pending', 'queued', 'running', 'cached', 'uptodate', 'done', 'failed', 'skipped'] as const;
export type ActionState = (typeof STATES)[number];

export interface ActionRec {
  readonly i: number;
  readonly id: string;
  kind: string;
  target: string;
  /** The artifact it builds, or '' for raw actions. */
  artifact: string;
  deps: number[];
  users: number[];
  state: ActionState;
  node?: string;
  queuedAt?: number;
  startedAt?: number;
  endedAt?: number;
  scheduled?: EventOf<'action.scheduled'>;
  /** The scheduler mode's reasons (factors, why others lost), when a mode plugin recorded them. */
  decision?: EventOf<'schedule.decision'>;
  started?: EventOf<'action.started'>;
  finished?: EventOf<'action.finished'>;
  cache?: EventOf<'cache.hit'> | EventOf<'cache.miss'>;
  skipped?: EventOf<'action.skipped'>;
  /** Retries, revoked leases: what happened to it besides the main line. */
  incidents: FesterEvent[];
}

export class BuildModel {
  readonly actions: ActionRec[] = [];
  readonly byId = new Map<string, ActionRec>();
  /** Bumped when actions or edges change (the layout is redone), not when a state changes. */
  structure = 0;
  /** seq of the graph event applied, so a replay that rewinds does not lay out again. */
  graphSeq = 0;
  project = '';
  startedAt: number;
  finishedAt?: number;
  status?: string;
  nodes: string[] = [];
  /**
   * Saw its `build.started`. A coordinator's journal names farm builds only in its lease
   * events (their journal is the sending process's): those are not builds to show.
   */
  announced = false;

  constructor(readonly id: string, startedAt: number) {
    this.startedAt = startedAt;
  }

  setGraph(g: GraphData): void {
    for (const row of g.actions) {
      const [id, k, t, a] = row as [string, number, number, number];
      const rec = this.action(id, false);
      rec.kind = g.kinds[k] ?? rec.kind;
      rec.target = g.targets[t] ?? rec.target;
      rec.artifact = a >= 0 ? g.artifacts[a] ?? '' : '';
    }
    const index = g.actions.map((row) => this.byId.get(row[0] as string)!.i);
    for (const r of this.actions) { r.deps = []; r.users = []; }
    g.actions.forEach((row, j) => {
      const rec = this.actions[index[j]!]!;
      rec.deps = (row.slice(4) as number[]).map((d) => index[d]!).filter((d) => d !== undefined);
      for (const d of rec.deps) this.actions[d]!.users.push(rec.i);
    });
    this.structure++;
  }

  /** The action by id, created when the journal names one the graph did not (old journals). */
  action(id: string, bump = true): ActionRec {
    let rec = this.byId.get(id);
    if (!rec) {
      const [target = '', ...rest] = id.split('/');
      // `<target>/obj/<artifact>/…` is how compile outputs are named; other ids stay ungrouped.
      const artifact = rest[0] === 'obj' && rest.length > 2 ? rest[1]! : '';
      rec = { i: this.actions.length, id, kind: '', target, artifact, deps: [], users: [], state: 'pending', incidents: [] };
      this.actions.push(rec);
      this.byId.set(id, rec);
      if (bump) this.structure++;
    }
    return rec;
  }

  /** Forget what happened (replay scrubbing back in time); keep the graph. */
  reset(): void {
    for (const r of this.actions) {
      r.state = 'pending';
      r.node = r.queuedAt = r.startedAt = r.endedAt = undefined;
      r.scheduled = r.decision = r.started = r.finished = r.cache = r.skipped = undefined;
      r.incidents = [];
    }
    this.finishedAt = this.status = undefined;
  }

  counts(): Record<ActionState, number> {
    const c = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<ActionState, number>;
    for (const r of this.actions) c[r.state]++;
    return c;
  }
}

export interface NodeRec {
  id: string;
  state: string;
  kind?: string;
  slots?: number;
  policy?: string;
}

/** A session folded from its journal events, in seq order; the pages render only this. */
export class SessionModel {
  session?: string;
  readonly builds = new Map<string, BuildModel>();
  readonly nodes = new Map<string, NodeRec>();
  lastSeq = 0;
  firstTs?: number;
  lastTs?: number;

  /** Apply one event; false when it was already applied (SSE and /api/replay overlap). */
  apply(ev: FesterEvent): boolean {
    if (ev.seq <= this.lastSeq) return false;
    this.lastSeq = ev.seq;
    this.session ??= ev.session;
    this.firstTs ??= ev.ts;
    this.lastTs = ev.ts;
    if (ev.type.startsWith('node.')) { this.applyNode(ev); return true; }
    if (!ev.build) return true;
    let b = this.builds.get(ev.build);
    if (!b) { b = new BuildModel(ev.build, ev.ts); this.builds.set(ev.build, b); }
    applyToBuild(b, ev, this);
    return true;
  }

  /** The newest build that started in this session (what the live page follows). */
  latest(): BuildModel | undefined {
    let last: BuildModel | undefined;
    for (const b of this.builds.values()) if (b.announced) last = b;
    return last;
  }

  /** The builds that started in this session, oldest first. */
  announced(): BuildModel[] {
    return [...this.builds.values()].filter((b) => b.announced);
  }

  private applyNode(ev: FesterEvent): void {
    if (!('node' in ev) || typeof ev.node !== 'string') return;
    const n = this.node(ev.node);
    switch (ev.type) {
      case 'node.registered': n.state = 'registering'; n.kind = ev.kind; n.slots = ev.slots; break;
      case 'node.ready': n.state = 'ready'; break;
      case 'node.dropout': n.state = 'dropout'; break;
      case 'node.left': n.state = 'left'; break;
      case 'node.quarantined': n.state = ev.cleared ? 'ready' : 'quarantined'; break;
      case 'node.policy': n.policy = ev.policy; break;
      default: break;
    }
  }

  node(id: string): NodeRec {
    let n = this.nodes.get(id);
    if (!n) { n = { id, state: 'ready' }; this.nodes.set(id, n); }
    return n;
  }

  /** Keep the graph, forget the rest: the replay page rewinds with this. */
  reset(): void {
    this.lastSeq = 0;
    for (const b of this.builds.values()) b.reset();
    for (const n of this.nodes.values()) n.state = 'ready';
  }
}

function applyToBuild(b: BuildModel, ev: FesterEvent, s: SessionModel): void {
  const g = graphOf(ev);
  if (g) {
    if (b.graphSeq !== ev.seq) b.setGraph(g);
    b.graphSeq = ev.seq;
    return;
  }
  switch (ev.type) {
    case 'build.started': b.announced = true; b.startedAt = ev.ts; b.nodes = [...ev.nodes]; for (const n of ev.nodes) s.node(n); return;
    case 'graph.resolved': b.project = ev.project; return;
    case 'build.finished': b.finishedAt = ev.ts; b.status = ev.status; return;
    case 'action.queued': { const r = b.action(ev.action); r.kind ||= ev.kind; r.state = 'queued'; r.queuedAt ??= ev.ts; return; }
    case 'action.scheduled': { const r = b.action(ev.action); r.scheduled = ev; r.node = ev.node; return; }
    case 'schedule.decision': { b.action(ev.action).decision = ev; return; }
    case 'action.started': {
      const r = b.action(ev.action);
      s.node(ev.node);
      // A speculative duplicate (the action already runs): the bar keeps the first copy's start.
      if (r.state === 'running') return;
      r.started = ev; r.node = ev.node; r.state = 'running'; r.startedAt = ev.ts;
      return;
    }
    case 'action.finished': {
      const r = b.action(ev.action);
      r.finished = ev; r.node = ev.node; r.endedAt = ev.ts;
      r.startedAt ??= ev.ts - ev.durationMs;
      r.state = ev.status === 'success' ? 'done' : 'failed';
      return;
    }
    case 'action.uptodate': { const r = b.action(ev.action); r.state = 'uptodate'; r.endedAt = ev.ts; return; }
    case 'cache.hit': { const r = b.action(ev.action); r.cache = ev; r.state = 'cached'; r.endedAt = ev.ts; return; }
    case 'cache.miss': { const r = b.action(ev.action); r.cache = ev; return; }
    case 'action.skipped': { const r = b.action(ev.action); r.skipped = ev; r.state = 'skipped'; return; }
    case 'action.retry':
    case 'lease.revoked': {
      const r = b.action(ev.action);
      r.incidents.push(ev);
      if (r.state === 'running') { r.state = 'queued'; r.startedAt = undefined; }
      return;
    }
    default: return;
  }
}
