import { describe, expect, it } from 'vitest';
import type { FesterEvent } from '../web/events.js';
import { SessionModel } from '../web/model.js';

/**
 * The pages' fold of journal events (web/model.ts): what state each action is in, with its
 * graph, node and incidents. Both pages render only this, so its rules are pinned here.
 */
const S = 's1';
const B = 's1.1';
let seq = 0;
const ev = (e: Record<string, unknown>, ts = 1000 + seq): FesterEvent => ({ seq: ++seq, ts, session: S, build: B, ...e }) as unknown as FesterEvent;

function session(): { m: SessionModel; events: FesterEvent[] } {
  seq = 0;
  const events = [
    ev({ type: 'session.started', version: '0', cwd: '/', pid: 1, build: undefined }),
    ev({ type: 'build.started', file: 'p.yaml', targets: ['host'], jobs: 2, nodes: ['n1', 'n2'] }),
    ev({ type: 'graph.resolved', project: 'p', actions: 3, edges: 2, artifacts: ['z'], targets: ['host'], durationMs: 1 }),
    ev({ type: 'plugin.event', plugin: '@fester/plugin-webui', name: 'graph', data: { v: 1, kinds: ['compile', 'archive'], targets: ['host'], artifacts: ['z'], actions: [['host/obj/z/a.c.o', 0, 0, 0], ['host/obj/z/b.c.o', 0, 0, 0], ['host/libz.a', 1, 0, 0, 0, 1]] } }),
    ev({ type: 'action.queued', action: 'host/obj/z/a.c.o', kind: 'compile', target: 'host' }),
    ev({ type: 'action.started', action: 'host/obj/z/a.c.o', node: 'n1', argv: ['cc'], cwd: '.' }),
    ev({ type: 'action.retry', action: 'host/obj/z/a.c.o', node: 'n1', attempt: 1, reason: 'node lost', exclude: ['n1'] }),
    ev({ type: 'action.started', action: 'host/obj/z/a.c.o', node: 'n2', argv: ['cc'], cwd: '.' }),
    ev({ type: 'action.finished', action: 'host/obj/z/a.c.o', node: 'n2', exitCode: 1, durationMs: 5, status: 'failed', stderr: 'boom', infrastructure: false }),
    ev({ type: 'cache.hit', action: 'host/obj/z/b.c.o', key: 'k', tier: 'local', outputs: [] }),
    ev({ type: 'action.skipped', action: 'host/libz.a', because: 'host/obj/z/a.c.o' }),
    ev({ type: 'build.finished', status: 'failed', durationMs: 20, counts: {} }),
  ];
  const m = new SessionModel();
  for (const e of events) m.apply(e);
  return { m, events };
}

describe('SessionModel', () => {
  it('folds a build: graph edges, states, nodes, incidents, status', () => {
    const { m } = session();
    const b = m.builds.get(B)!;
    expect(b.actions.map((a) => [a.id, a.kind, a.artifact, a.state])).toEqual([
      ['host/obj/z/a.c.o', 'compile', 'z', 'failed'],
      ['host/obj/z/b.c.o', 'compile', 'z', 'cached'],
      ['host/libz.a', 'archive', 'z', 'skipped'],
    ]);
    expect(b.actions[2]!.deps).toEqual([0, 1]);
    expect(b.actions[0]!.users).toEqual([2]);
    const a = b.actions[0]!;
    expect(a.node).toBe('n2');
    expect(a.incidents.map((e) => e.type)).toEqual(['action.retry']);
    expect(a.finished?.stderr).toBe('boom');
    expect(b.status).toBe('failed');
    expect(b.project).toBe('p');
    expect(b.nodes).toEqual(['n1', 'n2']);
    expect(b.counts()).toMatchObject({ failed: 1, cached: 1, skipped: 1, pending: 0 });
  });

  it('an infrastructure retry puts a running action back in the queue', () => {
    const { events } = session();
    const m = new SessionModel();
    for (const e of events.slice(0, 7)) m.apply(e);
    expect(m.builds.get(B)!.actions[0]!.state).toBe('queued');
    expect(m.builds.get(B)!.actions[0]!.startedAt).toBeUndefined();
  });

  it('ignores events it already has (the SSE stream and /api/replay overlap)', () => {
    const { m, events } = session();
    expect(m.apply(events[5]!)).toBe(false);
    expect(m.builds.get(B)!.actions[0]!.state).toBe('failed');
  });

  it('reset keeps the graph and forgets what happened (replay rewinds with it)', () => {
    const { m, events } = session();
    const structure = m.builds.get(B)!.structure;
    m.reset();
    const b = m.builds.get(B)!;
    expect(b.actions.every((a) => a.state === 'pending' && a.incidents.length === 0)).toBe(true);
    expect(b.actions[2]!.deps).toEqual([0, 1]);
    for (const e of events.slice(0, 6)) m.apply(e);
    expect(b.actions[0]!.state).toBe('running');
    expect(b.structure).toBe(structure);
  });

  it('a build named only by a coordinator\'s lease events is not one to show', () => {
    const { m } = session();
    m.apply(ev({ type: 'lease.granted', lease: 'l1', epoch: 1, action: 'host/x.o', node: 'n1', build: 'other.7' }));
    expect(m.builds.has('other.7')).toBe(true);
    expect(m.latest()?.id).toBe(B);
    expect(m.announced().map((b) => b.id)).toEqual([B]);
  });

  it('groups an action the graph did not name by the artifact in its id', () => {
    seq = 100;
    const m = new SessionModel();
    m.apply(ev({ type: 'action.queued', action: 'aarch64-linux-gnu/obj/crc/x.c.o', kind: 'compile', target: 'aarch64-linux-gnu' }));
    const a = m.builds.get(B)!.actions[0]!;
    expect([a.target, a.artifact, a.state]).toEqual(['aarch64-linux-gnu', 'crc', 'queued']);
  });
});
