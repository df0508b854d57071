import type { Action, ActionGraph, EventPayload, NodeInfo } from '@fester/core';
import type { History } from './history/History.js';
import type { InputLocality } from './locality.js';
import type { ThermalViewLike } from './thermalSignals.js';

/**
 * Everything a mode may read besides the candidates. The plugin builds one from a Compiler and
 * its current Build; the simulator builds one from its model of a farm, so the scoring code it
 * runs is the code a real build runs.
 */
export interface SchedulerHost {
  now(): number;
  /** Actions running on a node now, whoever started them. */
  running(node: NodeInfo): number;
  /** Journal an event; returns its seq when it was journaled. */
  emit(payload: EventPayload): number | undefined;
  readonly history: History;
  locality(): InputLocality | undefined;
  thermal(): ThermalViewLike | undefined;
  /** The build's action graph, once resolved (critical-path ranks). */
  graph(): ActionGraph | undefined;
  inputDigests(action: Action): readonly string[];
  /**
   * The build's predicted work not finished yet and the chain after this action (mean-node ms,
   * from the critical path), for patience; undefined when the graph is not known. Replay
   * answers from the decision's record.
   */
  workAhead(actionId: string): { remainingMs: number; tailMs: number } | undefined;
  /**
   * True when the caller waits and asks again if every node is filtered. The simulator does;
   * the core's runner waits only when a filter sets `waitMs` (a hot node cools) and fails an
   * action every node refused otherwise, so modes must not defer there.
   */
  readonly canDefer: boolean;
}

/** One action running on one node, as seen from `action.started` / `action.finished` events. */
export interface RunningAction {
  action: string;
  node: string;
  startedAt: number;
  /** The intelligence advisor's predicted runtime, set when the run starts. */
  predictedMs?: number;
}

/**
 * Actions running per node, counted from the build's own events: the core's `compiler.running`
 * and the agents' `node.running` may lag a dispatch, and the embedded runner fills neither yet.
 */
export class RunningTracker {
  /** Keyed by `action\0node`: a speculative duplicate runs the same action on two nodes. */
  readonly runs = new Map<string, RunningAction>();
  private readonly byNode = new Map<string, Map<string, RunningAction>>();

  started(action: string, node: string, at: number): void {
    const run = { action, node, startedAt: at };
    this.runs.set(`${action}\0${node}`, run);
    let m = this.byNode.get(node);
    if (!m) this.byNode.set(node, (m = new Map()));
    m.set(action, run);
  }

  finished(action: string, node: string): RunningAction | undefined {
    const key = `${action}\0${node}`;
    const run = this.runs.get(key);
    if (!run) return undefined;
    this.runs.delete(key);
    this.byNode.get(node)?.delete(action);
    return run;
  }

  count(node: string): number {
    return this.byNode.get(node)?.size ?? 0;
  }

  runsOn(node: string): Iterable<RunningAction> {
    return this.byNode.get(node)?.values() ?? [];
  }
}
