import { sha256 } from './hash.js';
import type { Action } from '../types.js';

/**
 * The pre-key: everything known before the command runs — argv, env, cwd, target, toolchain
 * digest, declared input digests, output paths and plugin additions (DESIGN §1).
 */
export function preKey(a: Action, toolchainDigest: string, inputDigests: readonly string[], extra: readonly string[]): string {
  const env = Object.keys(a.env).sort().map((k) => [k, a.env[k]]);
  return sha256(JSON.stringify(['fester-key-v1', a.target, toolchainDigest, a.cwd, a.argv, env,
    a.inputs.map((p, i) => [p, inputDigests[i]]), a.outputs, [...extra].sort()]));
}

/** The action key: the pre-key plus every discovered header and its digest. */
export function fullKey(pre: string, headers: readonly (readonly [string, string])[]): string {
  if (headers.length === 0) return pre;
  const sorted = [...headers].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return sha256(JSON.stringify([pre, sorted]));
}

/** Digest of what the command is (not its inputs): explains "command-changed" misses. */
export function commandDigest(a: Action, extra: readonly string[]): string {
  return sha256(JSON.stringify([a.argv, a.cwd, a.env, [...extra].sort()]));
}
