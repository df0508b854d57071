import type { Action } from '../types.js';

/**
 * Actions that use every core of a node: `meta.parallel: 'high'`, or a link with -flto, which
 * GCC runs with a job per core. The thermal guard keeps them off loaded nodes; the scheduler's
 * patience keeps them on the fastest ones.
 */
export function isParallelHigh(action: Action): boolean {
  if (action.meta.parallel === 'high') return true;
  return action.kind === 'link' && action.argv.some((a) => a === '-flto' || a.startsWith('-flto='));
}
