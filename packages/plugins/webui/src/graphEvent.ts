import type { Build } from '@fester/core';

/** The `plugin` of the journal event that carries a build's action graph. */
export const GRAPH_PLUGIN = '@fester/plugin-webui';
export const GRAPH_EVENT = 'graph';

/**
 * The action graph of one build in a compact form (a 10k-action graph is ~0.5 MB, written once
 * per build). Strings that repeat (targets, artifacts, kinds) are tables; each action is
 * `[id, kind index, target index, artifact index or -1, ...indices of the actions it depends on]`.
 * The journal otherwise names actions only as they run, without artifacts or edges, and the UI
 * must draw a finished session from its journal alone (`fester ui` has no live Build).
 */
export interface GraphData {
  v: 1;
  kinds: string[];
  targets: string[];
  artifacts: string[];
  actions: (string | number)[][];
}

export function encodeGraph(build: Build): GraphData | undefined {
  const graph = build.graph;
  if (!graph) return undefined;
  const tables = { kinds: new Map<string, number>(), targets: new Map<string, number>(), artifacts: new Map<string, number>() };
  const index = (m: Map<string, number>, s: string) => {
    let i = m.get(s);
    if (i === undefined) { i = m.size; m.set(s, i); }
    return i;
  };
  const pos = new Map<string, number>();
  graph.actions.forEach((a, i) => pos.set(a.id, i));
  const actions = graph.actions.map((a) => [
    a.id,
    index(tables.kinds, a.kind),
    index(tables.targets, a.target),
    a.artifact === undefined ? -1 : index(tables.artifacts, a.artifact),
    ...graph.depsOf(a).map((d) => pos.get(d.id)!),
  ]);
  const keys = (m: Map<string, number>) => [...m.keys()];
  return { v: 1, kinds: keys(tables.kinds), targets: keys(tables.targets), artifacts: keys(tables.artifacts), actions };
}
