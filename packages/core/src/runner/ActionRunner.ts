import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Build } from '../Build.js';
import { parseDepfile } from '../exec/depfile.js';
import { commandDigest, fullKey, preKey } from '../fingerprint/actionKey.js';
import { sha256 } from '../fingerprint/hash.js';
import { isFesterError } from '../errors/FesterError.js';
import { hasTaps } from '../hooks.js';
import type { InputChange, MissReason } from '../journal/events.js';
import type { ActionRecord } from '../state/BuildState.js';
import type { Action, ActionFailure, AcEntry, CacheHit, Candidate, NodeInfo, Toolchain } from '../types.js';
import type { Command, RunningCopy } from '../hooks.js';
import { collectOutputs, entryMatches, prepareOutputDirs, removeOutputs, restoreOutputs } from './outputs.js';
import { chooseNode } from './chooseNode.js';
import { MissCauses } from './missCauses.js';
import { missReason } from './missReason.js';
import { journalSettled, Race, startCopy } from './race.js';

export interface TargetEnv { digest: string; env: Record<string, string>; toolchain?: Toolchain }

/** What fingerprinting learned, carried from the lookup to the execution. */
export interface Prepared {
  pre: string;
  cmd: string;
  inputs: Record<string, string>;
  headerSets: string[][];
  missReason: MissReason;
  changed: InputChange[];
  causes: number[];
}

export type Outcome =
  | { kind: 'uptodate' | 'cached' | 'executed'; record: ActionRecord }
  | { kind: 'failed'; failure: ActionFailure };

const manifestKey = (pre: string) => sha256(`manifest:${pre}`);

/** Resolves after `ms`, or at once when the build is aborted. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const t = setTimeout(finish, ms);
    function finish() { clearTimeout(t); signal.removeEventListener('abort', finish); done(); }
    signal.addEventListener('abort', finish, { once: true });
  });
}
const MAX_HEADER_SETS = 8;
/** Tries of one action on different nodes before an infrastructure failure fails the build. */
const MAX_ATTEMPTS = 3;
/** Nodes that may drop out under one action before it fails (bounded: an action may be what kills them). */
const MAX_NODE_LOSSES = 5;

/** The steps of one action: up-to-date check, cache lookup, execution, validation, store. */
export class ActionRunner {
  private readonly missCauses: MissCauses;

  constructor(private readonly build: Build, private readonly envs: Map<string, TargetEnv>) {
    this.missCauses = new MissCauses(build);
  }

  private get root(): string { return this.build.project!.root; }
  private get digests() { return this.build.digests!; }

  /** Synchronous no-op path: every input, header and output still has the recorded stat. */
  upToDateFast(a: Action): ActionRecord | undefined {
    const prev = this.build.state!.actions[a.id];
    if (!prev || hasTaps(this.build.hooks.fingerprint)) return undefined;
    if (prev.toolchain !== this.envs.get(a.target)!.digest) return undefined;
    for (const p of a.inputs) if (this.digests.cached(p) !== prev.inputs[p]) return undefined;
    for (const h of prev.headers) if (this.digests.cached(h) !== prev.inputs[h]) return undefined;
    for (const o of a.outputs) if (this.digests.cached(o) !== prev.outputs[o]) return undefined;
    if (prev.cmd !== commandDigest(a, [])) return undefined;
    this.build.emit({ type: 'action.uptodate', action: a.id, key: prev.key });
    return prev;
  }

  /** Fingerprint, then up-to-date or cache hit; returns what execution needs on a miss. */
  async lookup(a: Action): Promise<Outcome | Prepared> {
    const prev = this.build.state!.actions[a.id];
    const tenv = this.envs.get(a.target)!;
    const inputs: Record<string, string> = {};
    const digests: string[] = [];
    for (const p of a.inputs) {
      const d = await this.digests.digest(p);
      if (d === undefined) {
        const message = `input "${p}" does not exist and no action produces it`;
        const ev = this.build.emit({ type: 'action.finished', action: a.id, node: '', exitCode: null, durationMs: 0, status: 'failed', message });
        return { kind: 'failed', failure: { action: a.id, exitCode: null, stderr: '', reason: 'input', message, seq: ev.seq } };
      }
      inputs[p] = d;
      digests.push(d);
    }
    const extra = hasTaps(this.build.hooks.fingerprint) ? (await this.build.hooks.fingerprint.promise({ action: a, extra: [] })).extra : [];
    const pre = preKey(a, tenv.digest, digests, extra);
    const cmd = commandDigest(a, extra);
    const headerSets: string[][] = [];
    let lastKey = pre;
    // Compile keys cover the headers read, known only from an earlier run: try the set this
    // out dir last saw, then the sets the cache's manifest for this pre-key remembers.
    const trySet = async (set: string[]): Promise<Outcome | undefined> => {
      if (headerSets.some((h) => sameList(h, set))) return undefined;
      headerSets.push(set);
      const pairs = await this.headerDigests(set);
      if (!pairs) return undefined;
      const key = fullKey(pre, pairs);
      lastKey = key;
      const record: ActionRecord = { key, pre, cmd, base: commandDigest(a, []), toolchain: tenv.digest, inputs: { ...inputs, ...Object.fromEntries(pairs) }, headers: set, outputs: {} };
      return this.tryKey(a, key, record, prev);
    };
    if (a.depfile) {
      const first = prev ? await trySet(prev.headers) : undefined;
      if (first) return first;
      for (const set of (await this.cacheGet(a, manifestKey(pre)))?.entry.headerSets ?? []) {
        const got = await trySet(set);
        if (got) return got;
      }
    }
    if (!a.depfile) {
      const record: ActionRecord = { key: pre, pre, cmd, base: commandDigest(a, []), toolchain: tenv.digest, inputs, headers: [], outputs: {} };
      const got = await this.tryKey(a, pre, record, prev);
      if (got) return got;
    }
    const { reason, changed } = missReason(this.digests, a, prev, { cmd, toolchain: tenv.digest, inputs: { ...inputs } }, lastKey);
    const corruptSeq = this.missCauses.corruptSeq(lastKey);
    // The causes of a miss: the corrupt entry, else what changed each input (an action of this build, or an input.changed).
    const causes = this.missCauses.of(lastKey, changed, a.id);
    this.build.emit({ type: 'cache.miss', action: a.id, key: lastKey, reason: corruptSeq ? 'corrupt-entry' : reason, changed, ...(prev ? { previousKey: prev.key } : {}) }, causes);
    return { pre, cmd, inputs, headerSets, missReason: reason, changed, causes };
  }

  /**
   * Run on the best node, validate, store; the caller holds a slot. An infrastructure failure
   * (node lost, lease revoked, agent refused) is retried on another node; a compile error is not.
   */
  async execute(a: Action, prep: Prepared): Promise<Outcome> {
    const b = this.build;
    const exclude = new Map<string, string>();
    let causes: number[] | undefined;
    let waiting: string | undefined;
    let strikes = 0, losses = 0;
    for (let attempt = 1; ; attempt++) {
      const choice = chooseNode(b, a, exclude, causes, waiting);
      if (!choice.node && choice.waitMs !== undefined && !b.signal.aborted) {
        // A filter said "not now" (a node too hot): wait for it rather than fail the action.
        waiting = choice.signature;
        await sleep(choice.waitMs, b.signal);
        attempt--;
        continue;
      }
      waiting = undefined;
      if (!choice.node) return this.unplaceable(a, choice.candidates, attempt > 1, causes);
      const node = choice.node;
      const out = await this.runOn(a, prep, node);
      if (out.kind !== 'failed' || out.failure.reason !== 'infrastructure' || b.signal.aborted) return out;
      if (out.nodeLost ? ++losses > MAX_NODE_LOSSES : ++strikes >= MAX_ATTEMPTS) return out;
      // A node that dropped out is filtered as down anyway; once back, it may take the action again.
      if (!out.nodeLost) exclude.set(node.id, `failed this action (attempt ${attempt}): ${out.failure.message}`);
      const ev = b.emit({ type: 'action.retry', action: a.id, node: node.id, attempt, reason: out.failure.message, exclude: [...exclude.keys()] }, out.causes);
      causes = [ev.seq];
    }
  }

  /** No eligible node: say which guard stopped each one, with the code that names the fix. */
  private unplaceable(a: Action, cands: Candidate[], retried: boolean, causes?: number[]): Outcome {
    const why = cands.map((c) => `${c.node.id}: ${c.filtered ?? 'not chosen'}`).join('; ') || 'no nodes';
    const prodOnly = cands.length > 0 && cands.some((c) => c.filtered?.startsWith('production node')) &&
      cands.every((c) => c.filtered?.startsWith('production node') || /^(policy drain|down|quarantined|registering)/.test(c.filtered ?? ''));
    const code = retried ? 'FE0816' : prodOnly ? 'FE0810' : 'FE0809';
    const message = `${code} no node can run ${a.id} (${why})`;
    const ev = this.build.emit({ type: 'action.finished', action: a.id, node: '', exitCode: null, durationMs: 0, status: 'failed', infrastructure: true, message }, causes);
    return { kind: 'failed', failure: { action: a.id, exitCode: null, stderr: '', reason: 'infrastructure', message, seq: ev.seq } };
  }

  /** Actions running on a node with deferred outputs, which `speculate` may give a second copy. */
  private readonly races = new Map<string, { race: Race; action: Action; command: Command; startedAt: number }>();

  /** Running actions that may be duplicated now: one copy, still undecided. */
  duplicable(): RunningCopy[] {
    const out: RunningCopy[] = [];
    for (const [id, r] of this.races) if (r.race.open && !r.race.duplicated) out.push({ action: id, node: r.race.copies[0]!.node.id, startedAt: r.startedAt });
    return out;
  }

  /** Start a second copy of a running action on `node`; false when the action settled meanwhile. */
  duplicate(actionId: string, node: NodeInfo, cause?: number): boolean {
    const r = this.races.get(actionId);
    if (!r || !r.race.open || r.race.duplicated || !node.deferredOutputs) return false;
    if (cause !== undefined) r.race.cause = cause;
    r.race.add(startCopy(this.build, r.action, node, r.command, true, cause === undefined ? undefined : [cause]));
    return true;
  }

  private async runOn(a: Action, prep: Prepared, first: NodeInfo): Promise<Outcome & { causes?: number[]; nodeLost?: boolean }> {
    const b = this.build;
    const tenv = this.envs.get(a.target)!;
    const command = b.hooks.wrapCommand.call({ argv: [...a.argv], env: { ...tenv.env, ...a.env }, cwd: join(this.root, a.cwd) }, a);
    removeOutputs(this.root, a, this.digests);
    prepareOutputDirs(this.root, a);
    let kept = startCopy(b, a, first, command, false);
    if (first.deferredOutputs) {
      const race = new Race(kept);
      this.races.set(a.id, { race, action: a, command, startedAt: Date.now() });
      try { kept = await race.settle(); } finally { this.races.delete(a.id); }
      if (race.duplicated) journalSettled(b, a, race, kept);
    } else {
      await kept.done;
    }
    if (kept.error !== undefined) throw kept.error;
    const node = kept.node;
    const res = kept.result;
    const fail = (reason: ActionFailure['reason'], message: string, exitCode: number | null, stderr: string): Outcome & { causes?: number[]; nodeLost?: boolean } => {
      removeOutputs(this.root, a, this.digests);
      const status = reason === 'interrupted' ? 'interrupted' : 'failed';
      const ev = b.emit({ type: 'action.finished', action: a.id, node: node.id, exitCode, durationMs: res?.durationMs ?? 0, status, stderr: stderr.slice(0, 64 * 1024), infrastructure: reason === 'infrastructure', message }, res?.causes);
      return { kind: 'failed', failure: { action: a.id, exitCode, stderr, reason, message, seq: ev.seq }, ...(res?.causes ? { causes: res.causes } : {}), ...(res?.nodeLost ? { nodeLost: true } : {}) };
    };
    if (!res) return fail('infrastructure', `no executor accepted node "${node.id}"`, null, '');
    if (b.signal.aborted) return fail('interrupted', 'interrupted', res.exitCode, res.stderr);
    if (res.infrastructure) return fail('infrastructure', res.message ?? 'command could not be started', null, res.stderr);
    if (res.exitCode !== 0) return fail('exit', res.message ?? `exit code ${res.exitCode}`, res.exitCode, res.stderr);
    // Deferred outputs reach the workspace only now: every other copy has stopped (Race.settle).
    if (res.commit) await res.commit();
    try {
      await b.hooks.validate.promise({ action: a, toolchain: tenv.toolchain, outputs: a.outputs.map((o) => join(this.root, o)) });
    } catch (e) {
      if (!isFesterError(e)) throw e;
      return fail('validate', `${e.code} ${e.message}`, 0, res.stderr);
    }
    const { records, blobs } = collectOutputs(this.root, a, this.digests);
    const headers = a.depfile ? this.readHeaders(a) : [];
    const pairs = (await this.headerDigests(headers)) ?? [];
    const key = fullKey(prep.pre, pairs);
    const entry: AcEntry = { v: 1, action: a.id, outputs: records, headers, ...(res.stderr ? { stderr: res.stderr.slice(0, 64 * 1024) } : {}) };
    await this.store(a, key, entry, blobs);
    if (a.depfile) {
      const sets = [headers, ...prep.headerSets.filter((s) => !sameList(s, headers))].slice(0, MAX_HEADER_SETS);
      await this.store(a, manifestKey(prep.pre), { v: 1, action: a.id, outputs: [], headerSets: sets }, new Map());
    }
    b.emit({ type: 'action.finished', action: a.id, node: node.id, exitCode: 0, durationMs: res.durationMs, status: 'success',
      ...(res.stderr ? { stderr: res.stderr.slice(0, 64 * 1024) } : {}), outputs: records.map((r) => ({ path: r.path, digest: r.digest })), headers });
    const record: ActionRecord = { key, pre: prep.pre, cmd: prep.cmd, base: commandDigest(a, []), toolchain: tenv.digest, inputs: { ...prep.inputs, ...Object.fromEntries(pairs) }, headers, outputs: Object.fromEntries(records.map((r) => [r.path, r.digest])) };
    return { kind: 'executed', record };
  }

  private async tryKey(a: Action, key: string, record: ActionRecord, prev: ActionRecord | undefined): Promise<Outcome | undefined> {
    if (prev && prev.key === key && (await this.outputsIntact(a, prev))) {
      this.build.emit({ type: 'action.uptodate', action: a.id, key });
      return { kind: 'uptodate', record: { ...record, outputs: prev.outputs } };
    }
    const hit = await this.cacheGet(a, key);
    if (!hit || !entryMatches(a, hit)) return undefined;
    restoreOutputs(this.root, hit, this.digests);
    this.build.emit({ type: 'cache.hit', action: a.id, key, tier: hit.tier, outputs: hit.entry.outputs.map((o) => ({ path: o.path, digest: o.digest })), bytes: hit.entry.outputs.reduce((n, o) => n + o.size, 0) });
    return { kind: 'cached', record: { ...record, outputs: Object.fromEntries(hit.entry.outputs.map((o) => [o.path, o.digest])) } };
  }

  /** Outputs still hold what the record says (hashing any whose stat cannot be trusted). */
  private async outputsIntact(a: Action, prev: ActionRecord): Promise<boolean> {
    for (const o of a.outputs) if ((await this.digests.digest(o)) !== prev.outputs[o]) return false;
    return true;
  }

  private cacheGet(a: Action, key: string): Promise<CacheHit | undefined> {
    return this.build.hooks.cacheGet.promise({ action: a, key });
  }

  private async store(a: Action, key: string, entry: AcEntry, blobs: Map<string, Buffer>): Promise<void> {
    try {
      // A volatile tier that holds persistent writes gets them now and writes them back at the barrier.
      const tiers = this.build.writeBackTiers.size ? 'volatile' as const : undefined;
      await this.build.hooks.cacheStore.promise({ action: a, key, entry, blobs, ...(tiers ? { tiers } : {}) });
      if (entry.outputs.length) this.build.emit({ type: 'cache.stored', action: a.id, key, bytes: entry.outputs.reduce((n, o) => n + o.size, 0) });
    } catch (e) {
      // A cache that cannot store costs speed later, never this build's result.
      const tier = (e as { plugin?: string }).plugin ?? 'store';
      this.build.emit({ type: 'cache.error', tier, key, message: (e as { cause?: Error }).cause?.message ?? (e instanceof Error ? e.message : String(e)) });
    }
  }

  private readHeaders(a: Action): string[] {
    const path = join(this.root, a.depfile!);
    let text = '';
    try { text = readFileSync(path, 'utf8'); } catch { return []; }
    rmSync(path, { force: true });
    const declared = new Set(a.inputs);
    return parseDepfile(text, this.root).filter((h) => !declared.has(h)).sort();
  }

  /** [path, digest] for each header, or undefined if one no longer exists (that set is stale). */
  private async headerDigests(headers: readonly string[]): Promise<[string, string][] | undefined> {
    const pairs: [string, string][] = [];
    for (const h of headers) {
      const d = await this.digests.digest(h);
      if (d === undefined) return undefined;
      pairs.push([h, d]);
    }
    return pairs;
  }
}

function sameList(x: readonly string[], y: readonly string[]): boolean {
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
