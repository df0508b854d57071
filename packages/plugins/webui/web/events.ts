/**
 * The journal events the pages read: the same union the core writes (types only; nothing
 * of the core is bundled into the browser code).
 */
import type { FesterEvent, EventOf, EventType } from '@fester/core';

export type { FesterEvent, EventOf, EventType };

/** The graph the webui plugin records after `graph.resolved` (see src/graphEvent.ts). */
export interface GraphData {
  v: 1;
  kinds: string[];
  targets: string[];
  artifacts: string[];
  actions: (string | number)[][];
}

export const GRAPH_PLUGIN = '@fester/plugin-webui';

export function graphOf(ev: FesterEvent): GraphData | undefined {
  if (ev.type !== 'plugin.event' || ev.plugin !== GRAPH_PLUGIN || ev.name !== 'graph') return undefined;
  const d = ev.data as unknown as GraphData;
  return d && d.v === 1 && Array.isArray(d.actions) ? d : undefined;
}
