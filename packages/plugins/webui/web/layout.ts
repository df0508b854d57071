import dagre from '@dagrejs/dagre';
import type { BuildModel } from './model.js';

/**
 * Two-level layout, so 10k actions stay cheap: actions are grouped by (target, artifact) and
 * laid out inside their group by their depth among the group's own actions (a layered grid,
 * no crossing minimisation); only the group graph, tens or hundreds of boxes, goes through
 * dagre. A collapsed group is one box with a bar of its state counts.
 */
export interface Group {
  key: string;
  target: string;
  artifact: string;
  label: string;
  members: number[];
  collapsed: boolean;
  /** Few actions: labelled boxes. Many: small cells in a grid per layer. */
  detailed: boolean;
  cellW: number;
  cellH: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Layout {
  groups: Group[];
  /** Action index → group index. */
  groupOf: Int32Array;
  /** Top-left corner of each action's cell in world coordinates (NaN inside a collapsed group). */
  ax: Float32Array;
  ay: Float32Array;
  edges: { from: number; to: number; points: { x: number; y: number }[] }[];
  width: number;
  height: number;
}

export const HEADER = 22;
const PAD = 6;
const DETAILED_MAX = 80;

export function groupKey(target: string, artifact: string): string {
  return `${target}\u0000${artifact}`;
}

export function layoutBuild(b: BuildModel, collapsed: ReadonlySet<string>): Layout {
  const n = b.actions.length;
  const groupOf = new Int32Array(n);
  const byKey = new Map<string, Group>();
  const groups: Group[] = [];
  for (const a of b.actions) {
    const key = groupKey(a.target, a.artifact);
    let g = byKey.get(key);
    if (!g) {
      g = { key, target: a.target, artifact: a.artifact, label: `${a.artifact || 'actions'} · ${a.target}`, members: [], collapsed: collapsed.has(key), detailed: false, cellW: 0, cellH: 0, x: 0, y: 0, w: 0, h: 0 };
      byKey.set(key, g);
      groups.push(g);
    }
    groupOf[a.i] = groups.indexOf(g);
    g.members.push(a.i);
  }
  const depth = localDepths(b, groupOf);
  const ax = new Float32Array(n).fill(NaN);
  const ay = new Float32Array(n).fill(NaN);
  for (const g of groups) sizeGroup(b, g, depth, ax, ay);

  const dg = new dagre.graphlib.Graph();
  dg.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 70, marginx: 20, marginy: 20 });
  dg.setDefaultEdgeLabel(() => ({}));
  groups.forEach((g, i) => dg.setNode(String(i), { width: g.w, height: g.h }));
  const seen = new Set<string>();
  for (const a of b.actions) {
    for (const d of a.deps) {
      const from = groupOf[d]!, to = groupOf[a.i]!;
      const k = `${from}>${to}`;
      if (from !== to && !seen.has(k)) { seen.add(k); dg.setEdge(String(from), String(to)); }
    }
  }
  dagre.layout(dg);
  groups.forEach((g, i) => {
    const p = dg.node(String(i));
    g.x = p.x - g.w / 2;
    g.y = p.y - g.h / 2;
  });
  const gl = dg.graph();
  let edges = dg.edges().map((e) => ({ from: Number(e.v), to: Number(e.w), points: dg.edge(e).points ?? [] }));
  let size = { width: gl.width ?? 0, height: gl.height ?? 0 };
  // Many groups of one rank make a column far taller than wide: wrap the ranks.
  if (size.height > 2.5 * size.width) {
    size = wrapRanks(groups);
    edges = edges.map((e) => ({ ...e, points: straight(groups[e.from]!, groups[e.to]!) }));
  }
  // Cells were placed relative to their group; move them with it.
  for (const a of b.actions) {
    const g = groups[groupOf[a.i]!]!;
    ax[a.i] += g.x;
    ay[a.i] += g.y;
  }
  return { groups, groupOf, ax, ay, edges, ...size };
}

/**
 * Keep dagre's ranks (left to right) and its order within each rank (top to bottom, which
 * is what minimised the crossings), but break each rank into columns no taller than what
 * gives the whole picture a screen-like shape.
 */
function wrapRanks(groups: Group[]): { width: number; height: number } {
  const GAP = 16, RANK_GAP = 70, M = 20;
  const area = groups.reduce((a, g) => a + (g.w + GAP) * (g.h + GAP), 0);
  const maxH = Math.max(Math.sqrt(area / 1.6), ...groups.map((g) => g.h));
  const ranks = new Map<number, Group[]>();
  for (const g of groups) {
    const key = Math.round(g.x + g.w / 2);
    (ranks.get(key) ?? ranks.set(key, []).get(key)!).push(g);
  }
  let x = M, width = 0, height = 0;
  for (const key of [...ranks.keys()].sort((a, b) => a - b)) {
    const list = ranks.get(key)!.sort((a, b) => a.y - b.y);
    let y = M, colW = 0;
    for (const g of list) {
      if (y > M && y + g.h > M + maxH) { x += colW + GAP; y = M; colW = 0; }
      g.x = x; g.y = y;
      y += g.h + GAP;
      colW = Math.max(colW, g.w);
      height = Math.max(height, y - GAP + M);
    }
    x += colW + RANK_GAP;
    width = x - RANK_GAP + M;
  }
  return { width, height };
}

function straight(a: Group, b: Group): { x: number; y: number }[] {
  return [{ x: a.x + a.w, y: a.y + a.h / 2 }, { x: b.x, y: b.y + b.h / 2 }];
}

/** Depth of each action among the actions of its own group (0: no dependency inside it). */
function localDepths(b: BuildModel, groupOf: Int32Array): Int32Array {
  const n = b.actions.length;
  const depth = new Int32Array(n);
  const indeg = new Int32Array(n);
  for (const a of b.actions) indeg[a.i] = a.deps.length;
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) queue.push(i);
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q]!;
    for (const u of b.actions[i]!.users) {
      if (groupOf[u] === groupOf[i]) depth[u] = Math.max(depth[u]!, depth[i]! + 1);
      if (--indeg[u]! === 0) queue.push(u);
    }
  }
  return depth;
}

function sizeGroup(b: BuildModel, g: Group, depth: Int32Array, ax: Float32Array, ay: Float32Array): void {
  const labelW = Math.max(160, g.label.length * 7 + 20);
  if (g.collapsed) {
    g.w = Math.max(230, labelW);
    g.h = HEADER + 22 + PAD;
    return;
  }
  g.detailed = g.members.length <= DETAILED_MAX;
  g.cellW = g.detailed ? 170 : 10;
  g.cellH = g.detailed ? 18 : 10;
  const gapX = g.detailed ? 26 : 10;
  const gapY = g.detailed ? 4 : 2;
  const layers: number[][] = [];
  for (const i of g.members) (layers[depth[i]!] ??= []).push(i);
  let x = PAD, h = 0;
  for (const layer of layers) {
    if (!layer) continue;
    layer.sort((p, q) => (b.actions[p]!.id < b.actions[q]!.id ? -1 : 1));
    const rows = g.detailed ? layer.length : Math.min(layer.length, Math.max(6, Math.ceil(Math.sqrt(layer.length))));
    const cols = Math.ceil(layer.length / rows);
    layer.forEach((i, k) => {
      ax[i] = x + Math.floor(k / rows) * (g.cellW + gapY);
      ay[i] = HEADER + (k % rows) * (g.cellH + gapY);
    });
    x += cols * (g.cellW + gapY) - gapY + gapX;
    h = Math.max(h, rows * (g.cellH + gapY) - gapY);
  }
  g.w = Math.max(labelW, x - gapX + PAD);
  g.h = HEADER + h + PAD;
}
