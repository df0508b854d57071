import { basename, dirname } from 'node:path';
import { FesterError } from '../errors/FesterError.js';
import type { Toolchain } from '../types.js';
import { baseEnv } from './baseEnv.js';
import { ToolchainDigestCache } from './digestCache.js';
import { which } from './which.js';

async function ask(cc: string, ...args: string[]): Promise<string> {
  const { execa } = await import('execa');
  const r = await execa(cc, args, { reject: false, extendEnv: false, env: baseEnv([dirname(cc)]) });
  return String(r.stdout ?? '').trim();
}

/**
 * The machine's own gcc/g++/ar (`host`). Its digest covers the driver, cc1, as, ld, ar and the
 * version strings, so a compiler upgrade never serves a stale object.
 */
export async function hostToolchain(cacheDir: string, origin?: { file: string; line?: number; col?: number }): Promise<Toolchain> {
  const cc = which(process.env.FESTER_HOST_CC ?? 'gcc') ?? which('cc');
  if (!cc) throw new FesterError('FE0301', { message: 'no C compiler for target "host": gcc is not on PATH', location: origin, hint: 'install it: apt-get install gcc (Debian), or set FESTER_HOST_CC' });
  const ar = which('ar');
  if (!ar) throw new FesterError('FE0302', { message: 'no archiver for target "host": ar is not on PATH', location: origin });
  const cxx = which('g++') ?? cc;
  const cache = new ToolchainDigestCache(cacheDir);
  const id = `host:${cc}:${cxx}:${ar}`;
  let hit = cache.lookup(id);
  if (!hit) {
    const prog = async (name: string) => { const p = await ask(cc, `-print-prog-name=${name}`); return which(p) ?? p; };
    const facts: Record<string, string> = {
      version: await ask(cc, '-dumpfullversion'),
      machine: await ask(cc, '-dumpmachine'),
      'path.cc1': await prog('cc1'),
      'path.as': await prog('as'),
      'path.ld': await prog('ld'),
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
