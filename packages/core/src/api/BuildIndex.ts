import type { FesterEvent } from '../journal/events.js';

/** Where an action stands, as far as the journal has told (actions not yet mentioned are pending). */
export type ActionState = 'queued' | 'scheduled' | 'running' | 'built' | 'cached' | 'uptodate' | 'failed' | 'interrupted' | 'skipped';

export const ACTION_STATES: readonly ActionState[] = ['queued', 'scheduled', 'running', 'built', 'cached', 'uptodate', 'failed', 'interrupted', 'skipped'];

/** `abandoned`: the build never finished and the process that wrote it is gone (a crash, kill -9). */
export type BuildStatus = 'running' | 'success' | 'failed' | 'interrupted' | 'abandoned';

export interface ActionSummary {
  id: string;
  state: ActionState;
  kind?: string;
  target?: string;
  node?: string;
  /** ms since the epoch of the first and last event about the action in this build. */
  firstTs: number;
  lastTs: number;
  startedAt?: number;
  durationMs?: number;
  tier?: string;
  missReason?: string;
  exitCode?: number | null;
  infrastructure?: boolean;
  /** The failed action this one was skipped for. */
  because?: string;
  /** Infrastructure retries (`action.retry`) so far. */
  retries?: number;
}

export interface BuildSummary {
  id: string;
  session: string;
  project?: string;
  file?: string;
  status: BuildStatus;
  startedAt: number;
  finishedAt?: number;
  durationMs?: number;
  targets: string[];
  /** Nodes the build could use when it started. */
  nodes: string[];
  jobs?: number;
  /** Actions in the graph, once resolved. */
  actions?: number;
  /** Actions by state; pending = actions − the sum. */
  counts: Record<ActionState, number>;
  /** Set when the build was refused before running (error code and message). */
  error?: { code: string; message: string };
  firstSeq: number;
  lastSeq: number;
}

/**
 * The running summary of one build, updated event by event so `/api/builds` never rescans
 * a journal. Holds the indexes (into its session's event array) of the build's own events.
 */
export class BuildIndex {
  readonly id: string;
  readonly session: string;
  /** Positions in the session's `events` of this build's events, in order. */
  readonly positions: number[] = [];
  readonly actions = new Map<string, ActionSummary>();
  private readonly s: Omit<BuildSummary, 'counts' | 'status'> & { status: BuildStatus };
  private readonly counts = Object.fromEntries(ACTION_STATES.map((k) => [k, 0])) as Record<ActionState, number>;

  constructor(id: string, session: string, first: FesterEvent) {
    this.id = id;
    this.session = session;
    this.s = { id, session, status: 'running', startedAt: first.ts, targets: [], nodes: [], firstSeq: first.seq, lastSeq: first.seq };
  }

  get status(): BuildStatus { return this.s.status; }
  get project(): string | undefined { return this.s.project; }
  get file(): string | undefined { return this.s.file; }
  get startedAt(): number { return this.s.startedAt; }
  get finishedAt(): number | undefined { return this.s.finishedAt; }
  get firstSeq(): number { return this.s.firstSeq; }
  get lastSeq(): number { return this.s.lastSeq; }

  /** The writer died before `build.finished`. */
  abandon(): void {
    if (this.s.status === 'running') this.s.status = 'abandoned';
  }

  apply(ev: FesterEvent, position: number): void {
    this.positions.push(position);
    this.s.lastSeq = ev.seq;
    switch (ev.type) {
      case 'build.started':
        Object.assign(this.s, { file: ev.file, targets: ev.targets, nodes: ev.nodes, jobs: ev.jobs, startedAt: ev.ts });
        break;
      case 'graph.resolved':
        Object.assign(this.s, { project: ev.project, actions: ev.actions, targets: ev.targets });
        break;
      case 'build.finished':
        Object.assign(this.s, { status: ev.status, finishedAt: ev.ts, durationMs: ev.durationMs, ...(ev.error ? { error: ev.error } : {}) });
        break;
      case 'action.uptodate': this.move(ev, 'uptodate'); break;
      case 'cache.hit': this.move(ev, 'cached').tier = ev.tier; break;
      case 'cache.miss': this.move(ev, 'queued').missReason = ev.reason; break;
      case 'action.queued': Object.assign(this.move(ev, 'queued'), { kind: ev.kind, target: ev.target }); break;
      // A placement while the action runs is its speculative duplicate's (or the lease of the run
      // already started): the action stays running on its first node.
      case 'action.scheduled': if (!this.isRunning(ev.action)) this.move(ev, 'scheduled').node = ev.node || undefined; break;
      case 'lease.granted': if (!this.isRunning(ev.action)) this.move(ev, 'scheduled').node = ev.node; break;
      case 'action.started': {
        // A speculative duplicate of a running action: the action keeps its first start time.
        const again = this.isRunning(ev.action);
        const a = this.move(ev, 'running');
        if (!again) Object.assign(a, { node: ev.node, startedAt: ev.ts });
        break;
      }
      case 'action.retry': { const a = this.move(ev, 'queued'); a.retries = ev.attempt; break; }
      case 'action.finished': {
        const a = this.move(ev, ev.status === 'success' ? 'built' : ev.status);
        Object.assign(a, { durationMs: ev.durationMs, exitCode: ev.exitCode, ...(ev.node ? { node: ev.node } : {}), ...(ev.infrastructure ? { infrastructure: true } : {}) });
        break;
      }
      case 'action.skipped': this.move(ev, 'skipped').because = ev.because; break;
      default: break;
    }
  }

  private isRunning(action: string): boolean {
    return this.actions.get(action)?.state === 'running';
  }

  private move(ev: FesterEvent & { action: string }, state: ActionState): ActionSummary {
    let a = this.actions.get(ev.action);
    if (!a) {
      a = { id: ev.action, state, firstTs: ev.ts, lastTs: ev.ts };
      this.actions.set(ev.action, a);
    } else {
      this.counts[a.state]--;
      a.state = state;
      a.lastTs = ev.ts;
    }
    this.counts[state]++;
    return a;
  }

  /** A fresh object in a fixed key order (it is the JSON of /api/builds). */
  summary(): BuildSummary {
    const s = this.s;
    return {
      id: s.id, session: s.session, ...(s.project !== undefined ? { project: s.project } : {}), ...(s.file !== undefined ? { file: s.file } : {}),
      status: s.status, startedAt: s.startedAt, ...(s.finishedAt !== undefined ? { finishedAt: s.finishedAt, durationMs: s.durationMs } : {}),
      targets: [...s.targets], nodes: [...s.nodes], ...(s.jobs !== undefined ? { jobs: s.jobs } : {}), ...(s.actions !== undefined ? { actions: s.actions } : {}),
      counts: { ...this.counts }, ...(s.error ? { error: s.error } : {}), firstSeq: s.firstSeq, lastSeq: s.lastSeq,
    };
  }
}
