import type { Candidate, FesterPlugin } from '@fester/core';
import { MODE_STAGE } from '../Scheduler.js';

export const BASELINES = ['round-robin', 'fastest-free'] as const;
export type Baseline = (typeof BASELINES)[number];

/**
 * distcc-like: hosts in list order, each next action to the next host after the last one used
 * that has a free slot and the target — blind to speed, heat and where inputs are.
 */
export function roundRobin(): FesterPlugin {
  let next = 0;
  return {
    name: 'sim:round-robin',
    apply(compiler) {
      compiler.hooks.build.tap('sim:round-robin', (build) => {
        build.hooks.schedule.tap({ name: 'sim:round-robin', stage: MODE_STAGE }, (all) => {
          noQueue(all);
          const n = all.length;
          for (let k = 0; k < n; k++) {
            const i = (next + k) % n;
            const c = all[i]!;
            if (c.filtered) continue;
            mark(all, c, 'rr');
            next = (i + 1) % n;
            break;
          }
          return all;
        });
      });
    },
  };
}

/**
 * icecream-like: the fastest node with a free slot (icecream's scheduler ranks hosts by a
 * measured speed and current load), ties to the less loaded. Blind to heat and locality.
 */
export function fastestFree(speedOf: (node: string) => number): FesterPlugin {
  return {
    name: 'sim:fastest-free',
    apply(compiler) {
      compiler.hooks.build.tap('sim:fastest-free', (build) => {
        build.hooks.schedule.tap({ name: 'sim:fastest-free', stage: MODE_STAGE }, (all) => {
          noQueue(all);
          for (const c of all) {
            if (c.filtered) continue;
            const free = 1 - (c.node.running ?? 0) / Math.max(1, c.node.slots);
            c.factors = { speed: { value: speedOf(c.node.id), weight: 1 }, free: { value: free, weight: 1e-3 } };
            c.score = speedOf(c.node.id) + free * 1e-3;
          }
          return all;
        });
      });
    },
  };
}

/** distcc and icecream send a job only to a host with a free slot: they never queue on a busy one. */
function noQueue(all: Candidate[]): void {
  for (const c of all) if (!c.filtered && (c.node.running ?? 0) >= c.node.slots) c.filtered = `busy: ${c.node.running}/${c.node.slots} slots (no queue)`;
}

/** Give one candidate the only positive score. */
function mark(all: Candidate[], chosen: Candidate, factor: string): void {
  for (const c of all) {
    if (c.filtered) continue;
    c.factors = { [factor]: { value: c === chosen ? 1 : 0, weight: 1 } };
    c.score = c === chosen ? 1 : 0;
  }
}
