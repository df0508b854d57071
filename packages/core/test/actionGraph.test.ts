import { describe, expect, it } from 'vitest';
import { ActionGraph } from '../src/ActionGraph.js';
import { FesterError } from '../src/errors/FesterError.js';
import type { ActionSpec } from '../src/types.js';

const act = (id: string, inputs: string[], outputs: string[]): ActionSpec => ({ id, kind: 'custom', target: 'host', argv: ['true'], cwd: '.', inputs, outputs, orderOnly: [], env: {}, meta: {} });

describe('ActionGraph', () => {
  it('links users to producers and orders nothing it need not', () => {
    const g = new ActionGraph([act('c', ['b.out'], ['c.out']), act('a', ['src'], ['a.out']), act('b', ['a.out'], ['b.out'])]);
    expect(g.depsOf(g.get('c')!).map((a) => a.id)).toEqual(['b']);
    expect(g.usersOf(g.get('a')!).map((a) => a.id)).toEqual(['b']);
    expect(g.edgeCount).toBe(2);
  });
  it('reports a cycle with its whole path', () => {
    const err = (() => { try { new ActionGraph([act('x', ['z.o'], ['x.o']), act('y', ['x.o'], ['y.o']), act('z', ['y.o'], ['z.o'])]); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(FesterError);
    expect((err as FesterError).code).toBe('FE0106');
    expect((err as FesterError).message).toMatch(/dependency cycle: (x → z → y → x|y → x → z → y|z → y → x → z)/);
  });
  it('refuses two producers of one output', () => {
    expect(() => new ActionGraph([act('a', [], ['o']), act('b', [], ['o'])])).toThrow(/"o" is written by both "a" and "b"/);
  });
  it('handles a deep chain without recursion limits', () => {
    const specs = Array.from({ length: 20000 }, (_, i) => act(`a${i}`, i ? [`o${i - 1}`] : [], [`o${i}`]));
    expect(new ActionGraph(specs).actions).toHaveLength(20000);
  });
  it('finds actions by id suffix', () => {
    const g = new ActionGraph([act('host/obj/app/main.c.o', [], ['m.o']), act('host/app', ['m.o'], ['app'])]);
    expect(g.find('main.c.o').map((a) => a.id)).toEqual(['host/obj/app/main.c.o']);
    expect(g.find('app').map((a) => a.id)).toEqual(['host/app']);
  });
});
