import { hasTaps, type NodeInfo, type SpeculateRequest } from '@fester/core';
import { describe, expect, it } from 'vitest';
import scheduler, { schedulerAdvisorOf } from '../src/index.js';
import { compile, harness, node } from './harness.js';

/**
 * The intelligence mode's tap on `build.hooks.speculate`, the hook the core runner asks when
 * nodes idle with nothing ready: stragglers (by the model, on the plugin's clock) are offered
 * the idle nodes predicted to beat them, placed through the runner's `place`, and journaled.
 */
function setup(mode: 'intelligence' | 'unified') {
  const clock = { now: 0 };
  const h = harness([scheduler({ mode, history: false, clock: () => clock.now })], [node('a'), node('b'), node('c')], [compile('x'), compile('y')]);
  const placed: { action: string; among: string[] }[] = [];
  const request = (running: SpeculateRequest['running'], idle: NodeInfo[], place?: (among: readonly NodeInfo[]) => NodeInfo | undefined): SpeculateRequest => ({
    running, idle, max: 4,
    place: (action, among) => { placed.push({ action, among: among.map((n) => n.id) }); return place ? place(among) : among[0]; },
  });
  const nodeOf = (id: string) => h.compiler.nodes.find((n) => n.id === id)!;
  return { h, clock, placed, request, nodeOf };
}

describe('speculate (intelligence mode)', () => {
  it('proposes a straggler on an idle node through place, journaling schedule.speculation as the cause', () => {
    const { h, clock, placed, request, nodeOf } = setup('intelligence');
    h.start('x', 'a');
    clock.now = 500;
    const early = h.build.hooks.speculate.call([], request([{ action: 'x', node: 'a', startedAt: 0 }], [nodeOf('b')]));
    // Half a second into a compile predicted at 1 s is no straggler.
    expect(early).toEqual([]);
    clock.now = 20_000;
    const out = h.build.hooks.speculate.call([], request([{ action: 'x', node: 'a', startedAt: 0 }], [nodeOf('b'), nodeOf('c')]));
    const spec = h.events.filter((e) => e.type === 'schedule.speculation');
    expect(spec).toHaveLength(1);
    expect(spec[0]).toMatchObject({ action: 'x', node: 'b', original: 'a', elapsedMs: 20_000 });
    expect(out).toEqual([{ action: 'x', node: 'b', cause: spec[0]!.seq }]);
    expect(placed).toEqual([{ action: 'x', among: ['b', 'c'] }]);
  });

  it('proposes nothing and journals nothing when place finds no eligible node, or the runner cannot duplicate the action', () => {
    const { h, clock, request, nodeOf } = setup('intelligence');
    h.start('x', 'a');
    clock.now = 20_000;
    expect(h.build.hooks.speculate.call([], request([{ action: 'x', node: 'a', startedAt: 0 }], [nodeOf('b')], () => undefined))).toEqual([]);
    // Not in `running`: on a node that writes in place, the runner would not race it.
    expect(h.build.hooks.speculate.call([], request([], [nodeOf('b')]))).toEqual([]);
    expect(h.events.filter((e) => e.type === 'schedule.speculation')).toHaveLength(0);
  });

  it('a settled speculation ends the losing run, so the action is no longer a straggler', () => {
    const { h, clock } = setup('intelligence');
    h.start('x', 'a');
    h.start('y', 'a');
    clock.now = 20_000;
    const advisor = schedulerAdvisorOf(h.compiler)!;
    expect(advisor.stragglers().map((s) => s.action)).toEqual(['x', 'y']);
    h.start('x', 'b');
    h.finish('x', 'b', 50);
    h.build.emit({ type: 'speculation.settled', action: 'x', winner: 'b', loser: 'a', won: 'duplicate', loserStatus: 'cancelled', loserDurationMs: 20_000 });
    // Without closing the loser, x on a would still count as running (and as a straggler).
    expect(advisor.stragglers().map((s) => s.action)).toEqual(['y']);
  });

  it('other modes do not tap speculate: the runner never asks, and nothing is duplicated', () => {
    const { h } = setup('unified');
    expect(hasTaps(h.build.hooks.speculate)).toBe(false);
    expect(schedulerAdvisorOf(h.compiler)).toBeUndefined();
  });
});
