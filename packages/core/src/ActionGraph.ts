import { FesterError } from './errors/FesterError.js';
import type { Action, ActionSpec } from './types.js';

/**
 * The actions of one build and the edges between them: an action depends on the producer of
 * each of its inputs and order-only paths. Actions are frozen once the graph is built.
 */
export class ActionGraph {
  readonly actions: readonly Action[];
  private readonly byId = new Map<string, Action>();
  private readonly producer = new Map<string, Action>();
  private readonly deps = new Map<string, Action[]>();
  private readonly users = new Map<string, Action[]>();
  readonly edgeCount: number;

  constructor(specs: readonly ActionSpec[]) {
    const actions = specs.map((s) => freezeAction(s));
    for (const a of actions) {
      if (this.byId.has(a.id)) throw new FesterError('FE0108', { message: `two actions have the id "${a.id}"`, subjects: [a.id] });
      this.byId.set(a.id, a);
      for (const o of a.outputs) {
        const other = this.producer.get(o);
        if (other) throw new FesterError('FE0109', { message: `"${o}" is written by both "${other.id}" and "${a.id}"`, subjects: [a.id, other.id] });
        this.producer.set(o, a);
      }
    }
    let edges = 0;
    for (const a of actions) {
      const ds: Action[] = [];
      for (const p of [...a.inputs, ...a.orderOnly]) {
        const d = this.producer.get(p);
        if (d && d !== a && !ds.includes(d)) ds.push(d);
      }
      this.deps.set(a.id, ds);
      for (const d of ds) {
        const list = this.users.get(d.id);
        if (list) list.push(a); else this.users.set(d.id, [a]);
      }
      edges += ds.length;
    }
    this.edgeCount = edges;
    this.actions = actions;
    const cycle = this.findCycle();
    if (cycle) {
      throw new FesterError('FE0106', { message: `dependency cycle: ${cycle.join(' → ')}`, subjects: cycle });
    }
  }

  get(id: string): Action | undefined { return this.byId.get(id); }
  producerOf(path: string): Action | undefined { return this.producer.get(path); }
  depsOf(a: Action): readonly Action[] { return this.deps.get(a.id) ?? []; }
  usersOf(a: Action): readonly Action[] { return this.users.get(a.id) ?? []; }

  /** Find an action by exact id, or by a unique suffix (`main.c.o`, `app`). */
  find(query: string): Action[] {
    const exact = this.byId.get(query);
    if (exact) return [exact];
    return this.actions.filter((a) => a.id.endsWith(`/${query}`) || a.id === query);
  }

  /** The ids along a cycle, first id repeated at the end, or undefined. Iterative: graphs are big. */
  private findCycle(): string[] | undefined {
    const state = new Map<string, 1 | 2>();
    for (const start of this.actions) {
      if (state.has(start.id)) continue;
      const stack: { a: Action; i: number }[] = [{ a: start, i: 0 }];
      state.set(start.id, 1);
      while (stack.length) {
        const top = stack[stack.length - 1]!;
        const ds = this.depsOf(top.a);
        if (top.i < ds.length) {
          const d = ds[top.i++]!;
          const s = state.get(d.id);
          if (s === 1) {
            const ids = stack.map((f) => f.a.id);
            return [...ids.slice(ids.indexOf(d.id)), d.id];
          }
          if (s === undefined) { state.set(d.id, 1); stack.push({ a: d, i: 0 }); }
        } else {
          state.set(top.a.id, 2);
          stack.pop();
        }
      }
    }
    return undefined;
  }
}

function freezeAction(s: ActionSpec): Action {
  return Object.freeze({
    ...s,
    argv: Object.freeze([...s.argv]),
    inputs: Object.freeze([...s.inputs]),
    outputs: Object.freeze([...s.outputs]),
    orderOnly: Object.freeze([...s.orderOnly]),
    env: Object.freeze({ ...s.env }),
    meta: Object.freeze({ ...s.meta }),
  });
}
