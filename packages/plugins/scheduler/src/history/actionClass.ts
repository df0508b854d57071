import type { Action } from '@fester/core';

/**
 * The unit history learns over: actions of one class take similar time on one node. Kind and
 * target, because an aarch64 compile under a cross compiler is not an x86 compile; custom
 * actions also by their tool, because `sh gen.sh` and `python3 big_codegen.py` share nothing.
 */
export function actionClass(a: Pick<Action, 'kind' | 'target' | 'argv'>): string {
  let c = cache.get(a);
  if (c === undefined) {
    const tool = (a.argv[0] ?? '').split('/').pop() || 'command';
    c = a.kind === 'custom' ? `custom/${a.target}/${tool}` : `${a.kind}/${a.target}`;
    cache.set(a, c);
  }
  return c;
}

/** Actions are frozen: their class is computed once (every decision asks for it). */
const cache = new WeakMap<object, string>();
