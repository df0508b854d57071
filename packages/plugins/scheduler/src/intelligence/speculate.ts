import { endedLoser, type DuplicateProposal, type FesterEvent, type SpeculateRequest } from '@fester/core';
import type { RunningTracker } from '../host.js';
import type { SchedulerAdvisor } from './Advisor.js';

/**
 * The intelligence mode's `speculate` tap: stragglers, most overdue first, each offered the
 * idle nodes the model predicts would beat it, placed through the runner's `place` (the
 * normal schedule filters) before `proposeDuplicate` journals it. Asking the model first
 * keeps the journal free of placements for duplicates that would not pay.
 */
export function proposeDuplicates(advisor: SchedulerAdvisor, proposals: DuplicateProposal[], req: SpeculateRequest): DuplicateProposal[] {
  const out = [...proposals];
  const taken = new Set(out.map((p) => p.node));
  const proposed = new Set(out.map((p) => p.action));
  for (const s of advisor.stragglers()) {
    if (out.length >= req.max) break;
    // The runner duplicates only what it lists (one copy, on a node that holds outputs apart).
    if (proposed.has(s.action) || !req.running.some((r) => r.action === s.action && r.node === s.node)) continue;
    const worth = req.idle.filter((n) => !taken.has(n.id) && advisor.duplicateMs(s, n) !== undefined);
    if (!worth.length) continue;
    const node = req.place(s.action, worth);
    const p = node ? advisor.proposeDuplicate(s, node) : undefined;
    if (!node || !p) continue;
    taken.add(node.id);
    proposed.add(s.action);
    out.push({ action: s.action, node: node.id, ...(p.seq !== undefined ? { cause: p.seq } : {}) });
  }
  return out;
}

/** Close a settled speculation's losing run in a tracker (and the advisor's predictions of it). */
export function closeLoser(ev: FesterEvent, tracker: RunningTracker, advisor?: { finished(action: string, node: string): void }): void {
  const gone = endedLoser(ev);
  if (!gone) return;
  tracker.finished(gone.action, gone.node);
  advisor?.finished(gone.action, gone.node);
}
