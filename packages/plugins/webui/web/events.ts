/**
 * The journal events the pages read: the same union the core writes (types only; nothing
 * of the core is bundled into the browser code).
 */
import type { FesterEvent, EventOf, EventType } from '@fester/core';
// The plugin's own encoding of the graph (types and two constants: nothing of Node is bundled).
import { GRAPH_EVENT, GRAPH_PLUGIN, type GraphData } from '../src/graphEvent.js';

export type { FesterEvent, EventOf, EventType, GraphData };
export { GRAPH_PLUGIN };

export function graphOf(ev: FesterEvent): GraphData | undefined {
  if (ev.type !== 'plugin.event' || ev.plugin !== GRAPH_PLUGIN || ev.name !== GRAPH_EVENT) return undefined;
  const d = ev.data as unknown as GraphData;
  return d && d.v === 1 && Array.isArray(d.actions) ? d : undefined;
}
