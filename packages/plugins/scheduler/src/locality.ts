import type { Action, Build } from '@fester/core';

/**
 * Where inputs already are. The farm client knows which blobs each agent's CAS holds (inputs
 * travel once per node); it implements this and publishes it with `provideInputLocality`, and
 * the cache-first and unified modes prefer nodes that would fetch less. Without a provider
 * nothing is known and locality plays no part.
 */
export interface InputLocality {
  /** Share (0…1) of these blobs the node already holds; by bytes or by count, as the provider can. */
  has(nodeId: string, digests: readonly string[]): number;
}

/**
 * A global symbol, not an import, so the core's farm client can publish without depending on
 * this plugin: `compiler[Symbol.for('fester.scheduler.inputLocality')] = { has(node, digests) {…} }`.
 */
export const INPUT_LOCALITY = Symbol.for('fester.scheduler.inputLocality');

export function provideInputLocality(compiler: object, impl: InputLocality): void {
  Object.defineProperty(compiler, INPUT_LOCALITY, { value: impl, configurable: true, writable: true });
}

export function inputLocalityOf(compiler: object): InputLocality | undefined {
  return (compiler as Record<symbol, InputLocality | undefined>)[INPUT_LOCALITY];
}

/**
 * The digests of an action's inputs without hashing anything: `meta.inputDigests` when a
 * producer put them there (the simulator, a farm client), else what the build's fingerprint
 * step already knows (by then every input of a queued action has been hashed).
 */
export function inputDigestsOf(action: Action, build?: Build): string[] {
  const given = action.meta.inputDigests;
  if (Array.isArray(given)) return given.filter((d): d is string => typeof d === 'string');
  const fd = build?.digests;
  if (!fd) return [];
  const out: string[] = [];
  for (const p of action.inputs) {
    const d = fd.cached(p);
    if (d) out.push(d);
  }
  return out;
}
