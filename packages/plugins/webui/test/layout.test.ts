import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FesterEvent } from '../web/events.js';
import { layoutBuild } from '../web/layout.js';
import { SessionModel } from '../web/model.js';
import { writeBigSession } from './bigSession.js';

/**
 * The DAG layout (web/layout.ts) on a 10k-action build: actions grouped by artifact and
 * target, boxes that do not overlap, every cell inside its box, edges between groups, and
 * time to lay it out (the page does this once per graph, not per event).
 */
describe('layoutBuild', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fester-layout-'));
  const big = writeBigSession(dir);
  rmSync(dir, { recursive: true, force: true });
  const m = new SessionModel();
  for (const e of big.events) m.apply(e as unknown as FesterEvent);
  const b = m.builds.get(big.build)!;

  it('groups 10k actions by artifact and target, without overlap, fast', () => {
    const t = performance.now();
    const l = layoutBuild(b, new Set());
    const ms = performance.now() - t;
    console.log(`layout of ${b.actions.length} actions in ${l.groups.length} groups: ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(3000);
    expect(l.groups).toHaveLength(50);
    for (const g of l.groups) {
      expect(new Set(g.members.map((i) => `${b.actions[i]!.target}/${b.actions[i]!.artifact}`))).toEqual(new Set([`${g.target}/${g.artifact}`]));
      for (const i of g.members) {
        expect(l.ax[i]).toBeGreaterThanOrEqual(g.x);
        expect(l.ay[i]).toBeGreaterThanOrEqual(g.y);
        expect(l.ax[i]! + g.cellW).toBeLessThanOrEqual(g.x + g.w + 0.01);
        expect(l.ay[i]! + g.cellH).toBeLessThanOrEqual(g.y + g.h + 0.01);
      }
    }
    for (let p = 0; p < l.groups.length; p++) {
      for (let q = p + 1; q < l.groups.length; q++) {
        const [g, h] = [l.groups[p]!, l.groups[q]!];
        const apart = g.x + g.w <= h.x || h.x + h.w <= g.x || g.y + g.h <= h.y || h.y + h.h <= g.y;
        expect(apart, `${g.label} overlaps ${h.label}`).toBe(true);
      }
    }
    // Libraries feed applications: every app group has incoming group edges.
    const into = new Set(l.edges.map((e) => l.groups[e.to]!.artifact));
    for (let a = 0; a < 10; a++) expect(into.has(`app${a}`)).toBe(true);
    expect(l.width).toBeGreaterThan(0);
    expect(l.height).toBeLessThan(l.width * 3);
  });

  it('the same artifact for two targets is two groups', () => {
    const two = new SessionModel();
    const graph = { v: 1, kinds: ['compile', 'archive'], targets: ['host', 'aarch64-linux-gnu'], artifacts: ['z'], actions: [
      ['host/obj/z/a.c.o', 0, 0, 0], ['host/libz.a', 1, 0, 0, 0],
      ['aarch64-linux-gnu/obj/z/a.c.o', 0, 1, 0], ['aarch64-linux-gnu/libz.a', 1, 1, 0, 2]] };
    two.apply({ seq: 1, ts: 1, session: 's', build: 's.1', type: 'build.started', file: 'p', targets: [], jobs: 1, nodes: [] } as unknown as FesterEvent);
    two.apply({ seq: 2, ts: 2, session: 's', build: 's.1', type: 'plugin.event', plugin: '@fester/plugin-webui', name: 'graph', data: graph } as unknown as FesterEvent);
    const l = layoutBuild(two.builds.get('s.1')!, new Set());
    expect(l.groups.map((g) => [g.target, g.artifact, g.members.length]).sort()).toEqual([['aarch64-linux-gnu', 'z', 2], ['host', 'z', 2]]);
  });

  it('an archive is laid out after (right of) the objects it is made of', () => {
    const l = layoutBuild(b, new Set());
    const lib = b.byId.get('host/liblib3.a')!;
    for (const d of lib.deps) expect(l.ax[d]!).toBeLessThan(l.ax[lib.i]!);
  });

  it('a collapsed group is one small box and its actions have no cells', () => {
    const open = layoutBuild(b, new Set());
    const key = open.groups[0]!.key;
    const l = layoutBuild(b, new Set([key]));
    const g = l.groups.find((x) => x.key === key)!;
    expect(g.collapsed).toBe(true);
    expect(g.h).toBeLessThan(open.groups[0]!.h);
    expect(g.members.every((i) => Number.isNaN(l.ax[i]!))).toBe(true);
  });
});
