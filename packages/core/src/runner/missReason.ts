import { commandDigest } from '../fingerprint/actionKey.js';
import type { FileDigests } from '../fingerprint/FileDigests.js';
import type { InputChange, MissReason } from '../journal/events.js';
import type { ActionRecord } from '../state/BuildState.js';
import type { Action } from '../types.js';

/**
 * Why an action missed the cache, against its previous record in this out dir: the first
 * difference that explains it (toolchain, command, inputs), so `fester explain` can say which
 * edit cost the rebuild rather than only that the key changed.
 */
export function missReason(digests: FileDigests, a: Action, prev: ActionRecord | undefined, now: { cmd: string; toolchain: string; inputs: Record<string, string> }, key: string): { reason: MissReason; changed: InputChange[] } {
  if (!prev) return { reason: 'no-previous-build', changed: [] };
  if (prev.toolchain !== now.toolchain) return { reason: 'toolchain-changed', changed: [] };
  if (prev.cmd !== now.cmd) {
    // Same command line but a different fingerprint: a plugin's `fingerprint` tap changed what it adds.
    const reason = prev.base !== undefined && prev.base === commandDigest(a, []) ? 'plugin-fingerprint-changed' : 'command-changed';
    return { reason, changed: [] };
  }
  const changed: InputChange[] = [];
  for (const [p, d] of Object.entries(now.inputs)) if (prev.inputs[p] !== d) changed.push({ path: p, before: prev.inputs[p], after: d });
  for (const p of Object.keys(prev.inputs)) {
    if (p in now.inputs || prev.headers.includes(p)) continue;
    changed.push({ path: p, before: prev.inputs[p] });
  }
  for (const h of prev.headers) {
    const d = digests.cached(h);
    if (d !== prev.inputs[h]) changed.push({ path: h, before: prev.inputs[h], ...(d ? { after: d } : {}) });
  }
  if (changed.length) return { reason: 'inputs-changed', changed };
  if (prev.key === key) {
    const missing = a.outputs.some((o) => !digests.stat(o));
    return { reason: missing ? 'outputs-missing' : 'outputs-modified', changed: [] };
  }
  return { reason: 'inputs-changed', changed };
}
