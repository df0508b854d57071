import { chmodSync, closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, posix, resolve } from 'node:path';
import { CasStore } from '../../cas/CasStore.js';
import { FesterError } from '../../errors/FesterError.js';
import { farmRequest, type FarmEndpoint } from '../httpClient.js';
import { ROOT_TOKEN, type LeaseRef, type OutputRef, type Task } from '../protocol.js';

/**
 * The per-lease directory an action runs in: `<workDir>/actions/<leaseId>-<epoch>/`. The task
 * comes from the network, so every path in it is checked before anything is written: a task
 * must not be able to read or write outside its directory, whatever it names.
 */

/** A blob whose bytes do not match is fetched again this many times before giving up. */
export const BLOB_REFETCHES = 3;

export interface CorruptFetch {
  digest: string;
  attempt: number;
}

/**
 * `p` as a normalised relative path, or FE0807. `allowRoot` accepts `''`/`.` (a cwd at the
 * action root). Backslashes are ordinary characters on POSIX and are left alone.
 */
export function safeRelPath(p: string, what: string, allowRoot = false): string {
  const escape = (why: string) => new FesterError('FE0807', { message: `${what} "${p}" ${why}` });
  if (p.includes('\0')) throw escape('contains a NUL byte');
  if (posix.isAbsolute(p)) throw escape('is absolute');
  const n = posix.normalize(p === '' ? '.' : p).replace(/\/+$/, '');
  if (n === '..' || n.startsWith('../')) throw escape('leaves the action directory');
  if (n === '.' && !allowRoot) throw escape('names the action directory itself');
  return n === '.' ? '' : n;
}

/**
 * FE0807 when any existing component of `rel` under `root` is a symlink: a command (or a
 * crafted task) could point `obj` at `/etc` and have the next write land there.
 */
export function assertNoSymlink(root: string, rel: string, what: string): void {
  let cur = root;
  for (const part of rel.split('/').filter(Boolean)) {
    cur = join(cur, part);
    let st;
    try { st = lstatSync(cur); } catch { return; }
    if (st.isSymbolicLink()) throw new FesterError('FE0807', { message: `${what} "${rel}" passes through the symlink ${part}` });
  }
}

/** Lease ids come from the coordinator; they become a folder name, so only safe characters. */
function leaseDirName(lease: LeaseRef): string {
  const id = lease.id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return `${id}-${lease.epoch}`;
}

export class ActionDir {
  /** Absolute path of the action directory. */
  readonly path: string;
  /** Blobs that came with the wrong bytes, for the run result. */
  readonly corrupt: CorruptFetch[] = [];

  constructor(workDir: string, lease: LeaseRef, private readonly cas: CasStore, private readonly coordinator?: FarmEndpoint) {
    this.path = resolve(workDir, 'actions', leaseDirName(lease));
  }

  /**
   * Check every path, fetch the blobs this node lacks, then write the tree. Inputs are
   * copied, not hardlinked to the store: a command that edits an input in place would
   * otherwise corrupt the store for every later action.
   */
  async materialise(task: Task, signal?: AbortSignal): Promise<void> {
    const files = new Map<string, Task['files'][number]>();
    for (const f of task.files) {
      const rel = safeRelPath(f.path, 'input');
      const prev = files.get(rel);
      if (prev && prev.digest !== f.digest) throw new FesterError('FE0807', { message: `input "${rel}" is listed twice with different contents` });
      files.set(rel, f);
    }
    const dirs = task.dirs.map((d) => safeRelPath(d, 'directory'));
    const outputs = task.outputs.map((o) => safeRelPath(o, 'output'));
    const depfile = task.depfile === undefined ? undefined : safeRelPath(task.depfile, 'depfile');
    const cwd = safeRelPath(task.cwd, 'working directory', true);

    rmSync(this.path, { recursive: true, force: true });
    mkdirSync(this.path, { recursive: true });
    await this.fetchMissing([...new Set([...files.values()].map((f) => f.digest))], signal);

    const mkdir = (rel: string, what: string) => {
      if (!rel) return;
      assertNoSymlink(this.path, rel, what);
      mkdirSync(join(this.path, rel), { recursive: true });
    };
    for (const [rel, f] of files) {
      mkdir(parentOf(rel), 'input');
      assertNoSymlink(this.path, rel, 'input');
      const data = await this.blob(f.digest, signal);
      // 'wx' never follows or reuses an existing entry; special bits are dropped because
      // the agent may run as root and a task must not plant setuid files.
      writeFileSync(join(this.path, rel), data, { flag: 'wx' });
      chmodSync(join(this.path, rel), f.mode & 0o777);
    }
    for (const d of dirs) mkdir(d, 'directory');
    for (const o of [...outputs, ...(depfile ? [depfile] : [])]) mkdir(parentOf(o), 'output');
    mkdir(cwd, 'working directory');
  }

  /** Verified bytes of a blob: from the local store, else from the coordinator. */
  private async blob(digest: string, signal?: AbortSignal): Promise<Buffer> {
    // The store may have been trimmed (or found corrupt) since fetchMissing: fetch again.
    const have = this.cas.get(digest);
    if (have) return have;
    await this.fetch(digest, signal);
    const data = this.cas.get(digest);
    if (!data) throw new FesterError('FE0808', { message: `blob ${digest.slice(0, 12)}… vanished from the local store right after it was fetched` });
    return data;
  }

  private async fetchMissing(digests: string[], signal?: AbortSignal): Promise<void> {
    const missing = this.cas.missing(digests);
    let next = 0;
    // A few requests in flight hide the round trip without flooding the coordinator.
    const worker = async () => { while (next < missing.length) await this.fetch(missing[next++]!, signal); };
    await Promise.all(Array.from({ length: Math.min(4, missing.length) }, worker));
  }

  private async fetch(digest: string, signal?: AbortSignal): Promise<void> {
    if (!this.coordinator) throw new FesterError('FE0801', { message: `blob ${digest.slice(0, 12)}… is not in the local store and no coordinator is set` });
    for (let attempt = 1; attempt <= 1 + BLOB_REFETCHES; attempt++) {
      if (signal?.aborted) throw new FesterError('FE0002', { message: 'lease aborted while fetching inputs' });
      const res = await farmRequest(this.coordinator, 'GET', `/cas/${digest}`);
      if (res.status === 404) throw new FesterError('FE0801', { message: `coordinator has no blob ${digest.slice(0, 12)}…` });
      if (res.status !== 200) throw new FesterError('FE0801', { message: `GET /cas/${digest.slice(0, 12)}… answered HTTP ${res.status}` });
      if (this.cas.put(digest, res.body)) return;
      this.corrupt.push({ digest, attempt });
    }
    throw new FesterError('FE0808', { message: `blob ${digest.slice(0, 12)}… arrived with wrong bytes ${1 + BLOB_REFETCHES} times` });
  }

  /**
   * After a successful run: each declared output that exists must be a regular file reached
   * without symlinks; it goes to the local store. Missing outputs are left out (the client
   * reports them as FE0402, as for a local run).
   */
  collect(task: Task): OutputRef[] {
    const refs: OutputRef[] = [];
    for (const o of task.outputs) {
      const rel = safeRelPath(o, 'output');
      assertNoSymlink(this.path, rel, 'output');
      let fd: number;
      try {
        fd = openSync(join(this.path, rel), constants.O_RDONLY | constants.O_NOFOLLOW);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') continue;
        if (code === 'ELOOP') throw new FesterError('FE0807', { message: `output "${rel}" is a symlink` });
        throw e;
      }
      try {
        const st = fstatSync(fd);
        if (!st.isFile()) throw new FesterError('FE0807', { message: `output "${rel}" is not a regular file` });
        const data = readFileSync(fd);
        const digest = CasStore.digestOf(data);
        this.cas.put(digest, data);
        refs.push({ path: o, digest, mode: st.mode & 0o777, size: data.length });
      } finally {
        closeSync(fd);
      }
    }
    return refs;
  }

  /**
   * The depfile's text when the task names one and the command wrote it, with this
   * directory's absolute path turned back into the root token: the compiler saw the token
   * replaced by it, and the client puts its own root there (as it did in argv).
   */
  readDepfile(task: Task): string | undefined {
    if (task.depfile === undefined) return undefined;
    const rel = safeRelPath(task.depfile, 'depfile');
    assertNoSymlink(this.path, rel, 'depfile');
    try {
      const fd = openSync(join(this.path, rel), constants.O_RDONLY | constants.O_NOFOLLOW);
      try { return tokenise(readFileSync(fd, 'utf8'), this.path); } finally { closeSync(fd); }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw new FesterError('FE0807', { message: `depfile "${rel}" is a symlink` });
      return undefined;
    }
  }

  /** Remove the directory, even when the command left unwritable folders behind. */
  remove(): void {
    try {
      rmSync(this.path, { recursive: true, force: true });
    } catch {
      makeWritable(this.path);
      rmSync(this.path, { recursive: true, force: true });
    }
  }

  /**
   * The same, off the event loop: a synchronous recursive delete of a big action dir blocks
   * heartbeats and every other lease for tens of milliseconds on some filesystems.
   */
  async removeLater(): Promise<void> {
    try {
      await rm(this.path, { recursive: true, force: true });
    } catch {
      this.remove();
    }
  }
}

/** `dir` → root token in depfile text, also in make's escaped spelling (`\ `, `\#`, `$$`). */
function tokenise(text: string, dir: string): string {
  const escaped = dir.replace(/([ #])/g, '\\$1').replace(/\$/g, '$$$$');
  for (const form of [escaped, dir]) text = text.split(form).join(ROOT_TOKEN);
  return text;
}

function makeWritable(dir: string): void {
  try { chmodSync(dir, 0o700); } catch { return; }
  let entries;
  try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return; }
  for (const e of entries) if (e.isDirectory()) makeWritable(join(dir, e.name));
}

/**
 * Send outputs the coordinator does not hold yet (it answers which ones with POST
 * /cas/missing), so a result never names a blob the coordinator cannot serve.
 */
export async function uploadOutputs(ep: FarmEndpoint, cas: CasStore, outputs: readonly OutputRef[]): Promise<number> {
  const digests = [...new Set(outputs.map((o) => o.digest))];
  if (!digests.length) return 0;
  const res = await farmRequest(ep, 'POST', '/cas/missing', JSON.stringify({ digests }));
  if (res.status !== 200) throw new FesterError('FE0801', { message: `POST /cas/missing answered HTTP ${res.status}` });
  const { missing } = res.json<{ missing: string[] }>();
  for (const d of missing) {
    if (!digests.includes(d)) continue;
    const data = cas.get(d);
    if (!data) throw new FesterError('FE0808', { message: `output blob ${d.slice(0, 12)}… vanished from the local store before upload` });
    let put = await farmRequest(ep, 'PUT', `/cas/${d}`, data);
    // A 400 here means the bytes were damaged on the way: one more try, then give up.
    if (put.status === 400) put = await farmRequest(ep, 'PUT', `/cas/${d}`, data);
    if (put.status !== 201 && put.status !== 200) throw new FesterError(put.status === 400 ? 'FE0808' : 'FE0801', { message: `PUT /cas/${d.slice(0, 12)}… answered HTTP ${put.status}` });
  }
  return missing.length;
}

/** Leftovers of a previous agent run (crash, kill -9): nothing in them is still needed. */
export function clearActionDirs(workDir: string): void {
  rmSync(join(workDir, 'actions'), { recursive: true, force: true });
  mkdirSync(join(workDir, 'actions'), { recursive: true });
}

/** Parent folder of a relative path, '' for the root. */
function parentOf(rel: string): string {
  const d = posix.dirname(rel);
  return d === '.' ? '' : d;
}
