import type cacacheT from 'cacache';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from '../fingerprint/hash.js';
import type { AcEntry } from '../types.js';
import type { TierCorruption, TierGcResult, TierStats, TierVerifyResult } from './CacheTier.js';

/**
 * `fester cache stats|verify|gc` for the local cacache tier. Blobs live under
 * content-v2/sha256/ab/cd/<rest>; their mtime is bumped on every hit, so it is the LRU clock.
 */
type Cacache = typeof cacacheT;

export function blobPath(dir: string, hex: string): string {
  return join(dir, 'content-v2', 'sha256', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
}

interface Blob { hex: string; path: string; size: number; mtimeMs: number }

async function listBlobs(dir: string): Promise<Blob[]> {
  const root = join(dir, 'content-v2', 'sha256');
  const out: Blob[] = [];
  for (const a of await readdir(root).catch(() => [] as string[])) {
    for (const b of await readdir(join(root, a)).catch(() => [] as string[])) {
      for (const rest of await readdir(join(root, a, b)).catch(() => [] as string[])) {
        const path = join(root, a, b, rest);
        const st = await stat(path).catch(() => undefined);
        if (st?.isFile()) out.push({ hex: a + b + rest, path, size: st.size, mtimeMs: st.mtimeMs });
      }
    }
  }
  return out;
}

/** `self`: hex digest of the entry's own JSON in content-v2 (cacache stores it as a blob too). */
interface Entry { key: string; time: number; self?: string; entry?: AcEntry; error?: string }

const sriHex = (sri: string | undefined) => (sri?.startsWith('sha256-') ? Buffer.from(sri.slice(7), 'base64').toString('hex') : undefined);

/** Every `ac/` entry of the index, parsed (an unreadable one carries `error`). */
async function listEntries(c: Cacache, dir: string): Promise<Entry[]> {
  const index = await c.ls(dir).catch(() => ({} as Record<string, { time: number; integrity?: string }>));
  const out: Entry[] = [];
  for (const [k, info] of Object.entries(index)) {
    if (!k.startsWith('ac/')) continue;
    const key = k.slice(3);
    try {
      const got = await c.get(dir, k);
      out.push({ key, time: info.time, self: sriHex(info.integrity), entry: JSON.parse(got.data.toString('utf8')) as AcEntry });
    } catch (e) {
      out.push({ key, time: info.time, self: sriHex(info.integrity), error: (e as Error).message });
    }
  }
  return out;
}

export async function localStats(c: Cacache, dir: string): Promise<TierStats> {
  const blobs = await listBlobs(dir);
  const index = await c.ls(dir).catch(() => ({} as Record<string, { integrity?: string }>));
  const acs = Object.entries(index).filter(([k]) => k.startsWith('ac/'));
  const selves = new Set(acs.map(([, v]) => sriHex(v.integrity)));
  // Entries' own JSON is content too: count it in bytes, not as an output blob.
  return { entries: acs.length, blobs: blobs.filter((b) => !selves.has(b.hex)).length, bytes: blobs.reduce((n, b) => n + b.size, 0) };
}

async function dropEntry(c: Cacache, dir: string, key: string): Promise<void> {
  await (c.rm.entry as (d: string, k: string, o: object) => Promise<unknown>)(dir, key, { removeFully: true }).catch(() => {});
}

/** Re-hash every blob; drop blobs that do not match their name and entries that are unreadable or lost a blob. */
export async function localVerify(c: Cacache, dir: string): Promise<TierVerifyResult> {
  const corrupt: TierCorruption[] = [];
  const good = new Set<string>();
  const blobs = await listBlobs(dir);
  for (const b of blobs) {
    const data = await readFile(b.path).catch(() => undefined);
    if (data && sha256(data) === b.hex) { good.add(b.hex); continue; }
    await rm(b.path, { force: true });
    await dropEntry(c, dir, `cas/${b.hex}`);
    corrupt.push({ digest: b.hex, message: 'bytes do not match the digest' });
  }
  const entries = await listEntries(c, dir);
  for (const e of entries) {
    const missing = e.entry?.outputs.find((o) => !good.has(o.digest));
    if (!e.error && !missing) continue;
    await dropEntry(c, dir, `ac/${e.key}`);
    corrupt.push({ key: e.key, ...(missing ? { digest: missing.digest } : {}), message: e.error ? `entry unreadable: ${e.error}` : `entry refers to a missing or corrupt blob of ${missing!.path}` });
  }
  return { checkedEntries: entries.length, checkedBlobs: blobs.length, corrupt };
}

/** The blobs an entry keeps alive: its outputs and its own JSON. */
function digestsOf(e: Entry): string[] {
  return [...(e.entry?.outputs ?? []).map((o) => o.digest), ...(e.self ? [e.self] : [])];
}

/** Drop least recently used entries (and blobs no remaining entry needs) until blobs fit in maxBytes. */
export async function localGc(c: Cacache, dir: string, maxBytes: number): Promise<TierGcResult> {
  const blobs = new Map((await listBlobs(dir)).map((b) => [b.hex, b]));
  const entries = (await listEntries(c, dir)).map((e) => ({
    ...e,
    used: Math.max(e.time, ...(e.entry?.outputs ?? []).map((o) => blobs.get(o.digest)?.mtimeMs ?? 0)),
  })).sort((a, b) => a.used - b.used);
  const refs = new Map<string, number>();
  for (const e of entries) for (const d of digestsOf(e)) refs.set(d, (refs.get(d) ?? 0) + 1);
  let bytes = [...blobs.values()].reduce((n, b) => n + b.size, 0);
  let removedEntries = 0;
  let removedBytes = 0;
  const dropBlob = async (hex: string) => {
    const b = blobs.get(hex);
    if (!b) return;
    blobs.delete(hex);
    await rm(b.path, { force: true });
    await dropEntry(c, dir, `cas/${hex}`);
    bytes -= b.size;
    removedBytes += b.size;
  };
  // Blobs no entry refers to (a write-back cut short) are the first to go.
  for (const hex of [...blobs.keys()]) if (!refs.has(hex) && bytes > maxBytes) await dropBlob(hex);
  for (const e of entries) {
    if (bytes <= maxBytes) break;
    await dropEntry(c, dir, `ac/${e.key}`);
    removedEntries++;
    for (const d of digestsOf(e)) {
      const n = (refs.get(d) ?? 1) - 1;
      refs.set(d, n);
      if (n === 0) await dropBlob(d);
    }
  }
  return { removedEntries, removedBytes, bytes };
}
