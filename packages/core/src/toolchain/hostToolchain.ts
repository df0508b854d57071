import { basename, dirname } from 'node:path';
import { execaSync } from 'execa';
import { FesterError } from '../errors/FesterError.js';
import type { Toolchain } from '../types.js';
import { baseEnv } from './baseEnv.js';
import { ToolchainDigestCache } from './digestCache.js';
import { which } from './which.js';

function ask(cc: string, ...args: string[]): string {
  const r = execaSync(cc, args, { reject: false, extendEnv: false, env: baseEnv([dirname(cc)]) });
  return String(r.stdout ?? '').trim();
}

/**
 * The machine's own gcc/g++/ar (`host`). Its digest covers the driver, cc1, as, ld, ar and the
 * version strings, so a compiler upgrade never serves a stale object.
 */
export function hostToolchain(cacheDir: string, origin?: { file: string; line?: number; col?: number }): Toolchain {
  const cc = which(process.env.FESTER_HOST_CC ?? 'gcc') ?? which('cc');
  if (!cc) throw new FesterError('FE0301', { message: 'no C compiler for target "host": gcc is not on PATH', location: origin, hint: 'install it: apt-get install gcc (Debian), or set FESTER_HOST_CC' });
  const ar = which('ar');
  if (!ar) throw new FesterError('FE0302', { message: 'no archiver for target "host": ar is not on PATH', location: origin });
  const cxx = which('g++') ?? cc;
  const cache = new ToolchainDigestCache(cacheDir);
  const id = `host:${cc}:${cxx}:${ar}`;
  let hit = cache.lookup(id);
  if (!hit) {
    const prog = (name: string) => { const p = ask(cc, `-print-prog-name=${name}`); return which(p) ?? p; };
    const facts: Record<string, string> = {
      version: ask(cc, '-dumpfullversion'),
      machine: ask(cc, '-dumpmachine'),
      'path.cc1': prog('cc1'),
      'path.as': prog('as'),
      'path.ld': prog('ld'),
    };
    const digest = cache.compute(id, [cc, cxx, ar, facts['path.cc1']!, facts['path.as']!, facts['path.ld']!], facts);
    hit = { digest, facts };
  }
  const tools = { cc, cxx, ar, cc1: hit.facts['path.cc1']!, as: hit.facts['path.as']!, ld: hit.facts['path.ld']! };
  return {
    target: 'host',
    triple: '',
    tools,
    version: `${basename(cc)} ${hit.facts.version} (${hit.facts.machine})`,
    digest: hit.digest,
    env: baseEnv([dirname(cc), dirname(cxx), dirname(ar)]),
  };
}
