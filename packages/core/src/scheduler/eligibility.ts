import type { Compiler } from '../Compiler.js';
import type { FesterPlugin } from '../config/types.js';
import type { Candidate } from '../types.js';

/** Stage of the eligibility filters: before every scorer, so modes only score eligible nodes. */
export const ELIGIBILITY_STAGE = -100;
/** How long after its last heartbeat (down) or its registration (registering) a node is waited for (coordinator clock). */
const DOWN_GRACE_MS = 30_000;
const DOWN_RECHECK_MS = 500;

/**
 * Safety before speed: the filters every scheduler mode relies on. A node is eligible only
 * when it is ready (registered, toolchains verified, clock trusted), not draining, holds the
 * action's exact toolchain digest, and — if it is a production node — allows this project.
 * Then a plain balance scorer: free slots, and the user's preferred/avoid policy.
 */
export function eligibilityPlugin(): FesterPlugin {
  return {
    name: 'fester:eligibility',
    apply(compiler: Compiler) {
      compiler.hooks.build.tap('fester:eligibility', (build) => {
        build.hooks.schedule.tap({ name: 'fester:eligibility', stage: ELIGIBILITY_STAGE }, (cands, action) => {
          const digest = build.toolchainDigests.get(action.target) ?? '';
          const project = build.project?.data.name ?? '';
          // Index loops: this runs for every node of every decision (1,000-node farms).
          for (let i = 0; i < cands.length; i++) {
            const c = cands[i]!;
            if (c.filtered) continue;
            const n = c.node;
            if (n.state && n.state !== 'ready') {
              c.filtered = `${n.state}${n.stateReason ? `: ${n.stateReason}` : ''}`;
              // A node that dropped out moments ago is usually coming back (systemd restart, a
              // rebooting board), and one that just registered is verifying its toolchains: with
              // no other node, waiting a little beats failing the action.
              const since = n.state === 'down' ? n.lastHeartbeat : n.state === 'registering' ? n.registeredAt : undefined;
              if (since && Date.now() - since < DOWN_GRACE_MS) c.waitMs = DOWN_RECHECK_MS;
            }
            else if (n.policy === 'drain') c.filtered = 'policy drain';
            else if (n.toolchains && digest && n.toolchains[action.target] !== digest) {
              c.filtered = n.toolchains[action.target] ? `toolchain ${action.target} differs (${n.toolchains[action.target]!.slice(0, 12)} ≠ ${digest.slice(0, 12)})` : `no ${action.target} toolchain`;
            } else if (n.toolchains && !digest && !n.targets.includes(action.target) && !n.targets.includes('*')) c.filtered = `no ${action.target} toolchain`;
            else if (n.production && !n.production.allow.includes(project)) c.filtered = `production node: project "${project}" not on its allow-list`;
          }
          return cands;
        });
        build.hooks.schedule.tap({ name: 'fester:balance', stage: ELIGIBILITY_STAGE + 1 }, (cands) => {
          for (let i = 0; i < cands.length; i++) {
            const c = cands[i]!;
            if (!c.filtered) balance(c, compiler);
            // A reused candidate (CandidatePool) filtered before this stage must not show the last decision's balance.
            else if (c.factors.free !== undefined || c.factors.policy !== undefined) c.factors = {};
          }
          return cands;
        });
      });
    },
  };
}

/** Avoided nodes still work when the others are three-quarters busy; preferred ones fill first. */
const POLICY_WEIGHT = { preferred: 0.5, neutral: 0, avoid: -0.75, drain: 0 } as const;

type Factor = Candidate['factors'][string];

/**
 * Factors are immutable values, so equal ones are shared: a 1,000-node decision would
 * otherwise allocate two objects per node here, and the garbage sets its p99 (see bench).
 */
const POLICY_FACTOR = { preferred: Object.freeze({ value: 1, weight: POLICY_WEIGHT.preferred }), avoid: Object.freeze({ value: 1, weight: POLICY_WEIGHT.avoid }) } as const;
const freeFactors = new Map<number, Factor>();

function freeFactor(slots: number, running: number): Factor {
  const key = slots * 65_536 + Math.min(running, 65_535);
  let f = freeFactors.get(key);
  if (!f) {
    if (freeFactors.size > 10_000) freeFactors.clear();
    freeFactors.set(key, (f = Object.freeze({ value: Math.max(0, slots - running) / Math.max(1, slots), weight: 1 })));
  }
  return f;
}

function balance(c: Candidate, compiler: Compiler): void {
  const n = c.node;
  const running = Math.max(compiler.running.get(n.id) ?? 0, n.running ?? 0);
  const free = freeFactor(n.slots, running);
  c.factors.free = free;
  c.score += free.value;
  const policy = n.policy === 'preferred' || n.policy === 'avoid' ? POLICY_FACTOR[n.policy] : undefined;
  if (policy) {
    c.factors.policy = policy;
    c.score += policy.weight;
  }
}
