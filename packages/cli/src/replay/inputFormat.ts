import type { NodeInfo } from '@fester/core';
import type { HistoryData } from '@fester/plugin-scheduler';

/**
 * The `data` of a `plugin.event` (plugin `fester:replay`, name `input`): everything the
 * scheduler's mode read for one placement that the rest of the journal does not hold.
 * Written by the recorder, read by `fester replay`; add fields, never change their meaning.
 */
export interface ReplayInput {
  action: string;
  /** The host clock when the mode ran (ms since the epoch). */
  now: number;
  /** Every candidate as it reached the mode: facts, earlier filters and factors. */
  nodes: ReplayNode[];
  /** Thermal readings the mode asked for, by node (with the thermal plugin's max). */
  thermal: Record<string, { celsius?: number; trendPerMin: number; state: string; sustained?: boolean; maxCelsius: number }>;
  /** Input locality answers the mode got, by node: the share and how many digests it asked about. */
  locality: Record<string, { share: number; digests: number }>;
  /** Only on the first input of a session: the runtime history the scheduler started from, and festerconfig's `scheduler` block. */
  history?: HistoryData;
  config?: Record<string, unknown>;
}

/** No toolchain digests (no mode reads them; the eligibility filter ran before): the targets they are for. */
export type NodeFacts = Pick<NodeInfo, 'id' | 'kind' | 'arch' | 'slots' | 'targets' | 'labels' | 'state' | 'stateReason' | 'policy' | 'production' | 'cores' | 'load' | 'temps' | 'running' | 'queue'> & { toolchainTargets?: string[] };

export interface ReplayNode {
  id: string;
  /**
   * The node's facts, only when they differ from its previous record in this session: a big
   * farm's nodes mostly keep their facts between two decisions, and the journal must not grow
   * by every node's facts at every placement. Read them through `FactsTimeline`.
   */
  facts?: NodeFacts;
  filtered?: string;
  waitMs?: number;
  factors: Record<string, { value: number; weight: number }>;
  /** The core's own count of actions running on the node (`compiler.running`). */
  coreRunning: number;
}

/** The facts of every node as of the record being read (records are read in journal order). */
export class FactsTimeline {
  private readonly last = new Map<string, NodeFacts>();

  /** Take a record's changes; returns each of its nodes' current facts. */
  apply(input: ReplayInput): NodeFacts[] {
    return input.nodes.map((n) => {
      if (n.facts) this.last.set(n.id, n.facts);
      return this.last.get(n.id) ?? { id: n.id, kind: 'physical', arch: '', slots: 1, targets: [], labels: {} };
    });
  }

  all(): NodeFacts[] {
    return [...this.last.values()];
  }
}

export const isReplayInput = (ev: { type: string; plugin?: string; name?: string }): boolean =>
  ev.type === 'plugin.event' && ev.plugin === 'fester:replay' && ev.name === 'input';
