import { createBuildHooks, type Action, type ActionGraph, type Candidate, type EventOf, type EventPayload, type FesterEvent, type NodeInfo } from '@fester/core';
import { closeLoser, History, parseOptions, resolveSettings, RunningTracker, Scheduler, type SchedulerHost, type ThermalViewLike } from '@fester/plugin-scheduler';
import { InputTimeline, isReplayInput, type NodeFacts, type ReplayInput, type ResolvedInput } from './inputFormat.js';

/** Two recorded scores are the same when they agree to the 4 decimals the journal keeps. */
const SCORE_EPS = 1.5e-4;
/**
 * Factors computed from the wall clock (the intelligence mode's earliest finish: how long running
 * actions have run). Decisions journal the clock they read (`clock`) and replay uses it, so these
 * come out exact; journals written before that recorded only a time read a millisecond or so
 * apart, and such a factor may move by about 1 ms / a runtime.
 */
const CLOCK_FACTORS = new Set(['eft']);
const CLOCK_EPS = 0.005;

export interface DecisionDiff {
  seq: number;
  action: string;
  recorded: string;
  replayed: string;
  /** Candidates whose score or filter came out differently, with the factors that differ. */
  candidates: { node: string; recorded: string; replayed: string; factors: string[]; clock: boolean }[];
}

export interface ReplayReport {
  /** `schedule.decision` events in the journal (up to a tear). */
  decisions: number;
  replayed: number;
  same: number;
  /** Reproduced too (same choice, same filters), but a clock-derived factor moved within the clock's resolution. */
  clock: DecisionDiff[];
  differing: DecisionDiff[];
  /** Decisions that could not be fed back, and why (no recorded input, a mode that needs the action graph). */
  skipped: { seq: number; action: string; reason: string }[];
  modes: string[];
}

type Decision = EventOf<'schedule.decision'>;

/**
 * Feed a session's recorded timeline back through the scheduler: a fresh `Scheduler` on a real
 * `schedule` hook, its RunningTracker and History driven by the journal's arrivals and
 * completions (the same `onEvent` a build calls), and at each recorded decision the candidates
 * as they reached the mode then. Every decision whose chosen node or scores differ is reported.
 */
export function replayDecisions(events: readonly FesterEvent[]): ReplayReport {
  const report: ReplayReport = { decisions: 0, replayed: 0, same: 0, clock: [], differing: [], skipped: [], modes: [] };
  const actions = new Map<string, { id: string; kind: Action['kind']; target: string; argv: string[] }>();
  const graph = { get: (id: string) => actionOf(actions, id) } as unknown as ActionGraph;
  let history: History | undefined;
  let config: Record<string, unknown> = {};
  const tracker = new RunningTracker();
  const timeline = new InputTimeline();
  // One scheduler for the session, like the one plugin instance of a Compiler: what it learns lives on across builds.
  let live: { scheduler: Scheduler; hook: ReturnType<typeof createBuildHooks>['schedule']; state: HostState; mode: string; seed: number } | undefined;

  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    if (ev.type === 'action.queued') actions.set(ev.action, { id: ev.action, kind: ev.kind as Action['kind'], target: ev.target, argv: actions.get(ev.action)?.argv ?? [] });
    else if (ev.type === 'action.started') { const a = actions.get(ev.action); if (a) a.argv = ev.argv; }
    if (isReplayInput(ev)) continue;
    if (ev.type !== 'schedule.decision') {
      if (live) {
        // The scheduler notes when runs start (the intelligence mode predicts when they end): the event's own time.
        live.state.clock = ev.ts;
        live.scheduler.onEvent(ev, graph, ev.ts);
        closeLoser(ev, tracker, live.scheduler.advisor);
        live.state.clock = undefined;
      }
      // Before the first decision the live history already holds these runs (its snapshot is taken then): only the tracker learns.
      else if (ev.type === 'action.started') tracker.started(ev.action, ev.node, ev.ts);
      else if (ev.type === 'action.finished' && ev.node) tracker.finished(ev.action, ev.node);
      else closeLoser(ev, tracker);
      continue;
    }
    report.decisions++;
    if (!report.modes.includes(ev.mode)) report.modes.push(ev.mode);
    // The recorder writes a decision's input right after it (same action).
    const next = events[i + 1];
    const input = next && isReplayInput(next) ? ((next as EventOf<'plugin.event'>).data as unknown as ReplayInput) : undefined;
    if (!input || input.action !== ev.action) { report.skipped.push({ seq: ev.seq, action: ev.action, reason: 'no recorded input (journal written without the replay recorder)' }); continue; }
    if (input.history && !history) { history = new History(structuredClone(input.history)); config = input.config ?? {}; }
    const resolved = timeline.apply(input);
    if (!live) {
      const settings = { ...resolveSettings(parseOptions({}), config), mode: ev.mode as Scheduler['settings']['mode'], seed: ev.seed, record: true };
      const state: HostState = { input: undefined, decision: undefined, emitted: undefined };
      const scheduler = new Scheduler(settings, hostFor(state, tracker, (history ??= new History()), graph), tracker);
      const hook = createBuildHooks().schedule;
      scheduler.tap(hook);
      live = { scheduler, hook, state, mode: ev.mode, seed: ev.seed };
    } else if (live.mode !== ev.mode || live.seed !== ev.seed) {
      report.skipped.push({ seq: ev.seq, action: ev.action, reason: `mode ${ev.mode} seed ${ev.seed} after ${live.mode} seed ${live.seed} in one session (one scheduler per process)` });
      continue;
    }
    live.state.input = { ...resolved, now: input.now, running: new Map(resolved.nodes.map((n) => [n.id, n.coreRunning])) };
    live.state.decision = ev;
    live.state.emitted = undefined;
    live.hook.call(candidatesOf(resolved), actionOf(actions, ev.action));
    report.replayed++;
    const diff = compare(ev, live.state.emitted as Decision | undefined);
    if (!diff) report.same++;
    else if (clockOnly(diff)) { report.same++; report.clock.push(diff); } else report.differing.push(diff);
  }
  return report;
}

interface HostState { input: (ResolvedInput & { now: number; running: Map<string, number> }) | undefined; decision: Decision | undefined; emitted: EventPayload | undefined; clock?: number }

/** The host a live scheduler had, rebuilt from the recorded input of the decision being replayed. */
function hostFor(state: HostState, tracker: RunningTracker, history: History, graph: ActionGraph): SchedulerHost {
  const input = () => state.input;
  const thermal: ThermalViewLike = {
    maxCelsius: (id) => input()?.thermal[id]?.maxCelsius ?? 85,
    reading: (n: NodeInfo) => input()?.thermal[n.id] ?? { trendPerMin: 0, state: 'ok' },
  };
  return {
    // The decision's own clock when it journaled one (journals before it: the record's, ~1 ms off).
    now: () => state.clock ?? state.decision?.clock ?? input()?.now ?? 0,
    running: (n) => Math.max(n.running ?? 0, input()?.running.get(n.id) ?? 0, tracker.count(n.id)),
    emit: (p) => { state.emitted = p; return undefined; },
    history,
    locality: () => {
      if (Object.keys(input()?.locality ?? {}).length) return { has: (node) => input()?.locality[node]?.share ?? 0 };
      // Which blobs each node holds is an observation of the world the journal keeps only as the
      // decision's locality factor (the scheduler may learn it from digests the journal lacks).
      return recordedLocality(state.decision) ? { has: (node) => recordedLocality(state.decision)!.get(node) ?? 0 } : undefined;
    },
    thermal: () => (Object.keys(input()?.thermal ?? {}).length ? thermal : undefined),
    // Actions as the journal knows them (kind, target, argv): the intelligence mode predicts running actions' ends from them.
    graph: () => graph,
    // The critical path needs the whole graph, which the journal does not hold: the decision recorded what patience read.
    workAhead: () => state.decision?.workAhead,
    // Only the count matters to the modes (none → locality is not scored); the digests are not recorded.
    inputDigests: () => Array.from({ length: Math.max(recordedLocality(state.decision) ? 1 : 0, ...Object.values(input()?.locality ?? {}).map((l) => l.digests)) }, (_, k) => String(k)),
    canDefer: false,
  };
}

/** node → the locality value the decision recorded, when any candidate has one. */
function recordedLocality(d: Decision | undefined): Map<string, number> | undefined {
  const m = new Map<string, number>();
  for (const c of d?.candidates ?? []) if (c.factors.locality) m.set(c.node, c.factors.locality.value);
  return m.size ? m : undefined;
}

function candidatesOf(input: ResolvedInput): Candidate[] {
  const facts: NodeFacts[] = input.facts;
  return input.nodes.map((n, i) => ({
    node: { ...structuredClone(facts[i]!), targets: facts[i]!.targets ?? [], labels: facts[i]!.labels ?? {} } as NodeInfo,
    score: 0,
    factors: structuredClone(n.factors),
    ...(n.filtered ? { filtered: n.filtered } : {}),
    ...(n.waitMs !== undefined ? { waitMs: n.waitMs } : {}),
  }));
}

function actionOf(actions: Map<string, { id: string; kind: Action['kind']; target: string; argv: string[] }>, id: string): Action {
  const a = actions.get(id) ?? { id, kind: 'compile' as const, target: id.split('/')[0] ?? 'host', argv: [] };
  return Object.freeze({ id: a.id, kind: a.kind, target: a.target, argv: a.argv, cwd: '.', inputs: [], outputs: [], orderOnly: [], env: {}, meta: {} });
}

/** The recorded decision against the replayed one: chosen node, each candidate's filter and score. */
/** Same choice, and every candidate that moved did so only in clock-derived factors, within the clock's resolution. */
function clockOnly(d: DecisionDiff): boolean {
  return d.recorded === d.replayed && d.candidates.every((c) => c.clock);
}

function compare(rec: Decision, got: Decision | undefined): DecisionDiff | undefined {
  const replayed = got?.chosen ?? '(no decision recorded by the replay)';
  const candidates: DecisionDiff['candidates'] = [];
  for (const c of rec.candidates) {
    const r = got?.candidates.find((x) => x.node === c.node);
    const says = (x: typeof c | undefined) => (!x ? 'absent' : x.filtered ? `filtered: ${x.filtered}` : `score ${x.score}`);
    const sameFilter = (c.filtered ?? '') === (r?.filtered ?? '');
    const sameScore = !!r && (c.filtered !== undefined || Math.abs(c.score - r.score) <= SCORE_EPS);
    if (r && sameFilter && sameScore) continue;
    const factors = Object.keys({ ...c.factors, ...r?.factors }).filter((k) => Math.abs((c.factors[k]?.value ?? NaN) - (r?.factors[k]?.value ?? NaN)) > SCORE_EPS || !(k in c.factors) || !(k in (r?.factors ?? {})))
      .map((k) => `${k} ${c.factors[k]?.value ?? '—'} → ${r?.factors[k]?.value ?? '—'}`);
    const moved = Object.keys({ ...c.factors, ...r?.factors }).filter((k) => !(Math.abs((c.factors[k]?.value ?? NaN) - (r?.factors[k]?.value ?? NaN)) <= SCORE_EPS));
    const clock = !!r && sameFilter && moved.every((k) => CLOCK_FACTORS.has(k) && Math.abs(c.factors[k]!.value - r.factors[k]!.value) <= CLOCK_EPS);
    candidates.push({ node: c.node, recorded: says(c), replayed: says(r), factors, clock });
  }
  if (got && got.chosen === rec.chosen && candidates.length === 0) return undefined;
  return { seq: rec.seq, action: rec.action, recorded: rec.chosen, replayed, candidates };
}
