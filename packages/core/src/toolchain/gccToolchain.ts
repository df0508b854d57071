import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { FesterError, type SourceLocation } from '../errors/FesterError.js';
import type { Toolchain } from '../types.js';
import { baseEnv } from './baseEnv.js';
import { ToolchainDigestCache } from './digestCache.js';
import { nativeTriple, targetSpec, type TargetSpec } from './targets.js';
import { which } from './which.js';

/** A toolchain configured in festerconfig.ts (`toolchains: { <target>: … }`). */
export interface ToolchainConfig {
  /** Tool name prefix, e.g. `aarch64-linux-gnu-`; default: the target triple + `-` (none for host). */
  prefix?: string;
  /** Folders searched for the tools; default $FESTER_TOOLCHAIN_PATH or /usr/local/bin:/usr/bin:/bin. */
  path?: string[];
  /** Passed as --sysroot; its libc and crt files are part of the digest. */
  sysroot?: string;
  cc?: string;
  cxx?: string;
  ar?: string;
}

/**
 * Tools are searched in fixed system folders, not the user's PATH: a PATH prefix in someone's
 * shell must not change which compiler builds the project (isolation, issue "Cross targets").
 */
export function toolchainSearchPath(cfg?: ToolchainConfig): string {
  return (cfg?.path ?? (process.env.FESTER_TOOLCHAIN_PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':')).join(':');
}

async function ask(cc: string, ...args: string[]): Promise<string> {
  const { execa } = await import('execa');
  const r = await execa(cc, args, { reject: false, extendEnv: false, env: baseEnv([dirname(cc)]) });
  return String(r.stdout ?? '').trim();
}

function installHint(spec: TargetSpec): string {
  return `install it: apt-get install ${spec.packages.join(' ')} (Debian), or configure toolchains['${spec.name}'] in festerconfig.ts`;
}

/**
 * A gcc-family toolchain for a target: host or a Debian cross toolchain, or one configured in
 * festerconfig.ts. Its digest covers the driver, cc1, as, ld, ar, the C library and start
 * files it links with, and their version strings.
 */
export async function gccToolchain(target: string, cacheDir: string, cfg?: ToolchainConfig, origin?: SourceLocation): Promise<Toolchain | undefined> {
  const spec = targetSpec(target);
  if (!spec) return undefined;
  const native = spec.triple === nativeTriple() && !spec.qemu;
  const prefix = cfg?.prefix ?? (target === 'host' || native ? '' : `${spec.triple}-`);
  const search = toolchainSearchPath(cfg);
  const find = (tool: string, explicit?: string): string | undefined => {
    if (explicit) return which(explicit, search);
    if (target === 'host' && tool === 'gcc' && process.env.FESTER_HOST_CC) {
      const cc = which(process.env.FESTER_HOST_CC, search);
      if (!cc) throw new FesterError('FE0301', { message: `FESTER_HOST_CC names "${process.env.FESTER_HOST_CC}", which is not found in ${search}`, location: origin, hint: 'unset FESTER_HOST_CC or point it at an installed compiler' });
      return cc;
    }
    return which(`${prefix}${tool}`, search);
  };
  const cc = find('gcc', cfg?.cc) ?? (prefix === '' && !cfg?.cc ? find('cc') : undefined);
  if (!cc) {
    throw new FesterError('FE0301', { message: `no C compiler for target "${target}": ${cfg?.cc ?? `${prefix}gcc`} not found in ${search}`, location: origin, hint: installHint(spec) });
  }
  const ar = find('ar', cfg?.ar) ?? find('gcc-ar');
  if (!ar) throw new FesterError('FE0302', { message: `no archiver for target "${target}": ${prefix}ar not found in ${search}`, location: origin, hint: installHint(spec) });
  const cxx = find('g++', cfg?.cxx) ?? cc;
  if (cfg?.sysroot !== undefined && !existsSync(cfg.sysroot)) {
    throw new FesterError('FE0304', { message: `sysroot for target "${target}" does not exist: ${cfg.sysroot}`, location: origin, hint: 'fix toolchains[…].sysroot in festerconfig.ts, or install the target’s libc (e.g. libc6-dev-arm64-cross)' });
  }
  const sysArgs = cfg?.sysroot ? [`--sysroot=${cfg.sysroot}`] : [];
  const cache = new ToolchainDigestCache(cacheDir);
  const id = `${target}:${cc}:${cxx}:${ar}:${cfg?.sysroot ?? ''}`;
  let hit = cache.lookup(id);
  if (!hit) {
    const prog = async (name: string) => { const p = await ask(cc, ...sysArgs, `-print-prog-name=${name}`); return which(p, `${dirname(cc)}:${search}`) ?? p; };
    const file = async (name: string) => { const p = await ask(cc, ...sysArgs, `-print-file-name=${name}`); return isAbsolute(p) ? p : ''; };
    const libc = spec.os === 'linux' ? ['libc.so.6', 'libc.a', 'crt1.o', 'crti.o', 'libc_nonshared.a'] : ['libc.a', 'crt0.o', 'libnosys.a'];
    const libFiles = await Promise.all(libc.map(file));
    if (spec.os === 'linux' && !libFiles[1] && !libFiles[0]) {
      throw new FesterError('FE0304', { message: `no C library (sysroot) for target "${target}": ${basename(cc)} cannot find libc`, location: origin, hint: installHint(spec) });
    }
    const facts: Record<string, string> = {
      version: await ask(cc, '-dumpfullversion'),
      machine: await ask(cc, '-dumpmachine'),
      'path.cc1': await prog('cc1'),
      'path.as': await prog('as'),
      'path.ld': await prog('ld'),
      // Debian's cross libc lives in /usr/<triple>/lib: that folder's parent is what qemu -L needs.
      'path.sysroot': cfg?.sysroot ?? (spec.qemu && libFiles.find(Boolean) ? dirname(dirname(resolve(libFiles.find(Boolean)!))) : ''),
    };
    const digest = cache.compute(id, [cc, cxx, ar, facts['path.cc1']!, facts['path.as']!, facts['path.ld']!, ...libFiles.filter(Boolean)], facts);
    hit = { digest, facts };
  }
  const tools: Record<string, string> = { cc, cxx, ar, cc1: hit.facts['path.cc1']!, as: hit.facts['path.as']!, ld: hit.facts['path.ld']! };
  if (hit.facts['path.sysroot']) tools.sysroot = hit.facts['path.sysroot'];
  return {
    target,
    triple: spec.triple,
    tools,
    version: `${basename(cc)} ${hit.facts.version} (${hit.facts.machine})`,
    digest: hit.digest,
    env: baseEnv([...new Set([dirname(cc), dirname(cxx), dirname(ar)])]),
    cflags: [...spec.cflags, ...sysArgs],
    ldflags: [...spec.ldflags, ...sysArgs],
    exeSuffix: spec.exeSuffix,
  };
}

