import type { FesterEvent } from '@fester/core';
import { checkMode } from '@fester/plugin-scheduler';
import { parseFarm, parseTrace, simulate, traceFromJournal, type FarmInput, type SimResult } from '@fester/plugin-scheduler/sim';
import { InputTimeline, isReplayInput, type NodeFacts, type ReplayInput } from './inputFormat.js';

export interface WhatIf {
  build: string;
  actions: number;
  nodes: string[];
  /** Wall time of the recorded build, first action start to last action end. */
  recordedMs?: number;
  /** The recorded mode and the asked one, simulated on the same trace and farm (same model, so comparable). */
  runs: { mode: string; makespanMs: number; lowerBoundMs: number; utilisation: number }[];
}

/**
 * "What if this build had run under another mode": the build's executed actions (with their
 * measured runtimes and recovered dependencies) and the farm the recorder saw, simulated under
 * the recorded mode and the asked one. Both numbers come from the simulator, so they compare
 * with each other; the recorded wall time is printed beside them for scale.
 */
export function whatIf(events: readonly FesterEvent[], mode: string, build?: string): WhatIf {
  const asked = checkMode(mode, '--mode');
  const trace = parseTrace(traceFromJournal(events, build), '<session>');
  const chosen = build ?? buildOf(trace.name);
  const farm = parseFarm(farmOf(events, chosen, trace.actions.map((a) => a.target)), '<session>');
  const recorded = events.find((e) => e.type === 'schedule.decision' && e.build === chosen) as { mode: string } | undefined;
  const modes = [...new Set([recorded?.mode ?? 'unified', asked])];
  const runs = modes.map((m) => summary(simulate({ trace, farm, mode: checkMode(m, 'recorded mode') })));
  const mine = events.filter((e) => e.build === chosen && (e.type === 'action.started' || e.type === 'action.finished'));
  const recordedMs = mine.length ? mine[mine.length - 1]!.ts - mine[0]!.ts : undefined;
  return { build: chosen, actions: trace.actions.length, nodes: farm.nodes.map((n) => n.id), ...(recordedMs !== undefined ? { recordedMs } : {}), runs };
}

const summary = (r: SimResult) => ({ mode: r.mode, makespanMs: r.makespanMs, lowerBoundMs: r.lowerBoundMs, utilisation: r.utilisation });

/** traceFromJournal names its trace "session <s> build <b>". */
function buildOf(name: string | undefined): string {
  return /build (\S+)$/.exec(name ?? '')?.[1] ?? '';
}

/**
 * The farm as the recorder saw it during the build: every node of its decisions' inputs, with
 * slots, arch, kind, policy and labels; targets from its verified toolchains (an embedded node
 * builds anything). Speeds are 1: the trace's runtimes are as measured on the nodes that ran them.
 */
function farmOf(events: readonly FesterEvent[], build: string, targets: string[]): FarmInput {
  const nodes = new Map<string, NodeFacts>();
  // Facts are recorded as changes from the session's start: read every record, keep the build's nodes.
  const timeline = new InputTimeline();
  for (const e of events) {
    if (!isReplayInput(e)) continue;
    const now = timeline.apply((e as { data: unknown }).data as ReplayInput).facts;
    if (e.build === build) for (const f of now) nodes.set(f.id, f);
  }
  if (!nodes.size) {
    // No recorded decision (one node): the nodes the actions ran on, with the build's job count as slots.
    const started = events.find((e) => e.build === build && e.type === 'build.started') as { jobs?: number } | undefined;
    const slots = Math.max(1, started?.jobs ?? 1);
    for (const e of events) if (e.build === build && e.type === 'action.started') nodes.set(e.node, { id: e.node, kind: 'physical', arch: 'x86_64', slots, targets: ['*'], labels: {} });
  }
  const all = [...new Set(targets)];
  return {
    version: 1,
    name: `farm of build ${build}`,
    nodes: [...nodes.values()].flatMap((n) => {
      const own = n.targets?.includes('*') ? all : [...new Set([...(n.targets ?? []), ...(n.toolchainTargets ?? [])])].filter((t) => all.includes(t));
      // A node that builds none of the trace's targets took no part in this build.
      return own.length ? [{ id: n.id, kind: n.kind, arch: n.arch, slots: n.slots, targets: own, labels: n.labels ?? {}, ...(n.policy ? { policy: n.policy } : {}) }] : [];
    }),
  };
}
