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

export interface ReplayNode {
  facts: Pick<NodeInfo, 'id' | 'kind' | 'arch' | 'slots' | 'targets' | 'labels' | 'toolchains' | 'state' | 'stateReason' | 'policy' | 'production' | 'cores' | 'load' | 'temps' | 'running' | 'queue'>;
  filtered?: string;
  waitMs?: number;
  factors: Record<string, { value: number; weight: number }>;
  /** The core's own count of actions running on the node (`compiler.running`). */
  coreRunning: number;
}

export const isReplayInput = (ev: { type: string; plugin?: string; name?: string }): boolean =>
  ev.type === 'plugin.event' && ev.plugin === 'fester:replay' && ev.name === 'input';
