import { mkdirSync, readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hashFileSync, sha256 } from '../fingerprint/hash.js';

type Stamp = [number, number, number];

interface Entry { stamps: Record<string, Stamp>; facts: Record<string, string>; digest: string }

function stamp(p: string): Stamp | undefined {
  try { const s = statSync(p); return [s.mtimeMs, s.size, s.ino]; } catch { return undefined; }
}

/**
 * Toolchain digests hash tens of megabytes (cc1, ld); they are kept per cache dir and reused
 * while every file's stat is unchanged, so a no-op build does not rehash the compiler.
 */
export class ToolchainDigestCache {
  private readonly path: string;
  private data: Record<string, Entry>;

  constructor(cacheDir: string) {
    this.path = join(cacheDir, 'toolchains.json');
    try { this.data = JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, Entry>; } catch { this.data = {}; }
  }

  /** A digest still valid for `id`, with the facts (versions, tool paths) saved alongside. */
  lookup(id: string): { digest: string; facts: Record<string, string> } | undefined {
    const e = this.data[id];
    if (!e) return undefined;
    for (const [p, s] of Object.entries(e.stamps)) {
      const now = stamp(p);
      if (!now || now[0] !== s[0] || now[1] !== s[1] || now[2] !== s[2]) return undefined;
    }
    return { digest: e.digest, facts: e.facts };
  }

  /** Hash the files and facts, remember them, and return the digest. */
  compute(id: string, files: string[], facts: Record<string, string>): string {
    const stamps: Record<string, Stamp> = {};
    const parts: string[] = [];
    for (const f of [...new Set(files)].sort()) {
      const s = stamp(f);
      if (!s) continue;
      stamps[f] = s;
      parts.push(`${f}=${hashFileSync(f)}`);
    }
    const digest = sha256(JSON.stringify([parts.map((p) => p.slice(p.indexOf('=') + 1)), Object.entries(facts).filter(([k]) => !k.startsWith('path.')).sort()]));
    this.data[id] = { stamps, facts, digest };
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const tmp = `${this.path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(this.data));
      renameSync(tmp, this.path);
    } catch { /* a cache that cannot be written only costs time */ }
    return digest;
  }
}
