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
  /**
   * Set by recorders that write changes only: `nodes`, `thermal` and `locality` then hold
   * what changed since each node's previous record in the session (a node absent is as it
   * was), and `order` the candidates' ids when they changed. Without it every candidate is
   * listed (journals written before; `facts` were already changes only).
   */
  delta?: true;
  /** The candidates' node ids in hook order, when different from the previous record's. */
  order?: string[];
  /** Every candidate as it reached the mode (with `delta`: the ones that changed): facts, earlier filters and factors. */
  nodes: ReplayNode[];
  /** Thermal readings the mode asked for, by node (with the thermal plugin's max). */
  thermal: Record<string, ThermalRecord>;
  /** Input locality answers the mode got, by node: the share and how many digests it asked about. */
  locality: Record<string, { share: number; digests: number }>;
  /** With `delta`: how many digests this decision asked locality about (absent: it did not ask). */
  localityDigests?: number;
  /** Only on the first input of a session: the runtime history the scheduler started from, and festerconfig's `scheduler` block. */
  history?: HistoryData;
  config?: Record<string, unknown>;
}

export interface ThermalRecord { celsius?: number; trendPerMin: number; state: string; sustained?: boolean; maxCelsius: number }

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

/** One record with every change before it applied: what the mode saw, whole. */
export interface ResolvedInput {
  /** Every candidate in hook order. */
  nodes: ReplayNode[];
  /** Their facts, same order. */
  facts: NodeFacts[];
  thermal: Record<string, ThermalRecord>;
  locality: Record<string, { share: number; digests: number }>;
}

const UNKNOWN_NODE = (id: string): NodeFacts => ({ id, kind: 'physical', arch: '', slots: 1, targets: [], labels: {} });

/** The state of every node as of the record being read (records are read in journal order). */
export class InputTimeline {
  private readonly facts = new Map<string, NodeFacts>();
  private readonly nodes = new Map<string, ReplayNode>();
  private order: string[] = [];
  private readonly thermal = new Map<string, ThermalRecord>();
  private readonly shares = new Map<string, number>();

  /** Take a record's changes; returns the whole input the mode saw. */
  apply(input: ReplayInput): ResolvedInput {
    for (const n of input.nodes) {
      if (n.facts) this.facts.set(n.id, n.facts);
      this.nodes.set(n.id, n);
    }
    const factsOf = (id: string) => this.facts.get(id) ?? UNKNOWN_NODE(id);
    if (!input.delta) {
      this.order = input.nodes.map((n) => n.id);
      return { nodes: input.nodes, facts: this.order.map(factsOf), thermal: input.thermal, locality: input.locality };
    }
    if (input.order) this.order = input.order;
    for (const [id, r] of Object.entries(input.thermal)) this.thermal.set(id, r);
    for (const [id, l] of Object.entries(input.locality)) this.shares.set(id, l.share);
    const digests = input.localityDigests;
    const locality: ResolvedInput['locality'] = {};
    if (digests !== undefined) for (const id of this.order) locality[id] = { share: this.shares.get(id) ?? 0, digests };
    return {
      nodes: this.order.map((id) => this.nodes.get(id) ?? { id, factors: {}, coreRunning: 0 }),
      facts: this.order.map(factsOf),
      thermal: Object.fromEntries(this.thermal),
      locality,
    };
  }

  all(): NodeFacts[] {
    return [...this.facts.values()];
  }
}

export const isReplayInput = (ev: { type: string; plugin?: string; name?: string }): boolean =>
  ev.type === 'plugin.event' && ev.plugin === 'fester:replay' && ev.name === 'input';
