import type { BuildIndex, BuildStatus } from '../api/BuildIndex.js';
import type { JournalIndex } from '../api/JournalIndex.js';
import { describeEvent } from '../api/describeEvent.js';
import type { EventOf, FesterEvent, InputChange, MissReason } from '../journal/events.js';
import { eventsOf, sinceGreen, type SinceGreen } from './sinceGreen.js';

/** `code`: a command or check failed; `infrastructure`: a node, the network or the executor failed. */
export type FailureKind = 'code' | 'infrastructure' | 'interrupted';

export interface RootCause {
  action: string;
  /** seq of the failing `action.finished`. */
  seq: number;
  /** The earliest failure of the build (with --keep-going there may be several independent ones). */
  first: boolean;
  kind: FailureKind;
  message: string;
  exitCode: number | null;
  node?: string;
  target: string;
  toolchain?: { digest: string; version: string };
  argv?: string[];
  durationMs: number;
  stderrExcerpt: string;
  /** Why it ran in this build (its cache miss) and which inputs had changed. */
  missReason?: MissReason;
  changed: InputChange[];
  retries: { node: string; attempt: number; reason: string; seq: number }[];
  /** Dependents that never ran because of it. */
  skipped: number;
}

export interface ChainLink {
  seq: number;
  type: string;
  label: string;
  /** How it relates to the link before it: a recorded cause, or the cache miss that made an action run. */
  relation: 'caused-by' | 'ran-because';
}

export interface Autopsy {
  build: string;
  session: string;
  project?: string;
  file?: string;
  status: BuildStatus;
  /** `refused`: stopped before any action (bad project, toolchain refused); `abandoned`: the writing process died. */
  verdict: 'none' | 'code' | 'infrastructure' | 'interrupted' | 'refused' | 'abandoned';
  summary: string;
  error?: { code: string; message: string };
  rootCauses: RootCause[];
  /** Failures and skips that follow from a root cause. */
  cascaded: { action: string; because: string; seq: number; kind: 'skipped' | 'failed' }[];
  infrastructure: {
    dropouts: { node: string; seq: number; silentMs: number }[];
    revoked: { action: string; node: string; reason: string; seq: number }[];
    retries: number;
    refusedResults: number;
    corruptBlobs: number;
  };
  /** From the build's end back to the deepest recorded cause of the first root cause. */
  chain: ChainLink[];
  sinceGreen: SinceGreen | null;
}

const EXCERPT_LINES = 20;
const EXCERPT_CHARS = 4000;

/** Explain a build's failure from the journals: what broke first, why, and what changed since green. */
export function autopsy(index: JournalIndex, b: BuildIndex): Autopsy {
  const log = index.session(b.session)!;
  const own = eventsOf(index, b);
  // Farm events carry no build id: those written while the build ran belong to its story.
  const window = log.events.slice(log.indexOfSeq(b.firstSeq), log.indexOfSeq(b.lastSeq + 1)).filter((e) => e.build === undefined || e.build === b.id);
  const bySeq = new Map(window.map((e) => [e.seq, e]));
  const lookup = (seq: number) => bySeq.get(seq) ?? log.bySeq(seq);

  // An action retried on another node after an infrastructure failure finishes more than once: its last word counts.
  const lastFinish = new Map<string, EventOf<'action.finished'>>();
  for (const e of own) if (e.type === 'action.finished') lastFinish.set(e.action, e);
  const failures = [...lastFinish.values()].filter((e) => e.status !== 'success').sort((x, y) => x.seq - y.seq);
  const failureSeqs = new Set(failures.map((f) => f.seq));
  // A failure caused (transitively) by another failure is a cascade, not a root.
  const causedByFailure = (ev: FesterEvent): boolean => {
    const stack = [...(ev.causes ?? [])];
    const seen = new Set<number>();
    while (stack.length) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      if (failureSeqs.has(s)) return true;
      stack.push(...(lookup(s)?.causes ?? []));
    }
    return false;
  };
  const roots = failures.filter((f) => !causedByFailure(f));
  const skips = own.filter((e): e is EventOf<'action.skipped'> => e.type === 'action.skipped');
  const cascaded: Autopsy['cascaded'] = [
    ...failures.filter((f) => !roots.includes(f)).map((f) => ({ action: f.action, because: rootOf(f, lookup, failureSeqs), seq: f.seq, kind: 'failed' as const })),
    ...skips.map((s) => ({ action: s.action, because: s.because, seq: s.seq, kind: 'skipped' as const })),
  ];

  const toolchains = new Map(own.flatMap((e) => (e.type === 'toolchain.resolved' ? [[e.target, { digest: e.digest, version: e.version }] as const] : [])));
  const firstSeq = Math.min(...roots.map((r) => r.seq));
  const rootCauses: RootCause[] = roots.map((f) => {
    const mine = own.filter((e) => 'action' in e && e.action === f.action);
    const miss = mine.find((e): e is EventOf<'cache.miss'> => e.type === 'cache.miss');
    const started = [...mine].reverse().find((e): e is EventOf<'action.started'> => e.type === 'action.started');
    const queued = mine.find((e): e is EventOf<'action.queued'> => e.type === 'action.queued');
    const target = queued?.target ?? f.action.split('/')[0]!;
    const retries = window.filter((e): e is EventOf<'action.retry'> => e.type === 'action.retry' && e.action === f.action)
      .map((e) => ({ node: e.node, attempt: e.attempt, reason: e.reason, seq: e.seq }));
    const tc = toolchains.get(target);
    return {
      action: f.action, seq: f.seq, first: f.seq === firstSeq,
      kind: (f.status === 'interrupted' ? 'interrupted' : f.infrastructure ? 'infrastructure' : 'code') as FailureKind,
      message: f.message ?? `exit code ${f.exitCode}`, exitCode: f.exitCode, ...(f.node ? { node: f.node } : {}), target,
      ...(tc ? { toolchain: tc } : {}), ...(started ? { argv: started.argv } : {}), durationMs: f.durationMs,
      stderrExcerpt: excerpt(f.stderr ?? ''),
      ...(miss ? { missReason: miss.reason } : {}), changed: miss?.changed ?? [], retries,
      skipped: skips.filter((s) => s.because === f.action).length,
    };
  }).sort((x, y) => x.seq - y.seq);

  const infrastructure = {
    dropouts: window.filter((e): e is EventOf<'node.dropout'> => e.type === 'node.dropout').map((e) => ({ node: e.node, seq: e.seq, silentMs: e.silentMs })),
    revoked: window.filter((e): e is EventOf<'lease.revoked'> => e.type === 'lease.revoked').map((e) => ({ action: e.action, node: e.node, reason: e.reason, seq: e.seq })),
    retries: window.filter((e) => e.type === 'action.retry').length,
    refusedResults: window.filter((e) => e.type === 'lease.refused').length,
    corruptBlobs: window.filter((e) => e.type === 'blob.corrupt').length,
  };
  const finished = own.find((e): e is EventOf<'build.finished'> => e.type === 'build.finished');
  const verdict: Autopsy['verdict'] = b.status === 'success' ? 'none'
    : b.status === 'abandoned' ? 'abandoned'
    : b.status === 'interrupted' ? 'interrupted'
    : rootCauses.length === 0 ? (finished?.error ? 'refused' : 'infrastructure')
    : rootCauses.some((r) => r.kind === 'code') ? 'code'
    : rootCauses.some((r) => r.kind === 'infrastructure') ? 'infrastructure' : 'interrupted';
  const result: Autopsy = {
    build: b.id, session: b.session, ...(b.project ? { project: b.project } : {}), ...(b.file ? { file: b.file } : {}),
    status: b.status, verdict, summary: '', ...(finished?.error ? { error: finished.error } : {}),
    rootCauses, cascaded, infrastructure,
    chain: chainOf(finished, rootCauses[0], own, lookup),
    sinceGreen: b.status === 'success' ? null : sinceGreen(index, b, rootCauses.map((r) => r.action)),
  };
  result.summary = summarize(result);
  return result;
}

/** The root failure a cascaded one leads back to. */
function rootOf(ev: FesterEvent, lookup: (s: number) => FesterEvent | undefined, failures: Set<number>): string {
  let cur: FesterEvent | undefined = ev;
  let last = (ev as { action?: string }).action ?? '';
  for (let guard = 0; cur && guard < 1000; guard++) {
    const next: number | undefined = cur.causes?.find((c) => failures.has(c)) ?? cur.causes?.[0];
    cur = next === undefined ? undefined : lookup(next);
    if (cur && failures.has(cur.seq)) last = (cur as { action: string }).action;
  }
  return last;
}

/** build.finished ← root failure ← its recorded causes…, then the cache miss that made it run and that miss's causes. */
function chainOf(finished: FesterEvent | undefined, root: RootCause | undefined, own: FesterEvent[], lookup: (s: number) => FesterEvent | undefined): ChainLink[] {
  const chain: ChainLink[] = [];
  const seen = new Set<number>();
  const follow = (ev: FesterEvent | undefined, relation: ChainLink['relation']) => {
    for (let guard = 0; ev && !seen.has(ev.seq) && guard < 100; guard++) {
      seen.add(ev.seq);
      chain.push({ seq: ev.seq, type: ev.type, label: describeEvent(ev), relation });
      relation = 'caused-by';
      // Prefer the root cause where an event names several.
      const next: number | undefined = root && ev.causes?.includes(root.seq) ? root.seq : ev.causes?.[0];
      ev = next === undefined ? undefined : lookup(next);
    }
  };
  if (finished) follow(finished, 'caused-by');
  if (root && !seen.has(root.seq)) follow(lookup(root.seq), 'caused-by');
  const miss = root && own.find((e) => e.type === 'cache.miss' && e.action === root.action);
  if (miss) follow(miss, 'ran-because');
  return chain;
}

/** The error lines of a compiler's stderr, with a little context. */
export function excerpt(stderr: string): string {
  const lines = stderr.replace(/\s+$/, '').split('\n');
  if (lines.length === 1 && lines[0] === '') return '';
  const first = lines.findIndex((l) => /\berror\b|fatal|undefined reference/i.test(l));
  const from = first < 0 ? 0 : Math.max(0, first - 2);
  const text = lines.slice(from, from + EXCERPT_LINES).join('\n');
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

function summarize(a: Autopsy): string {
  if (a.verdict === 'none') return `build ${a.build} succeeded: nothing to examine`;
  if (a.verdict === 'refused') return `build ${a.build} was refused before any action ran: ${a.error?.code} ${a.error?.message}`;
  if (a.verdict === 'abandoned') return `build ${a.build} never finished: the process writing its journal is gone (killed or crashed)`;
  const r = a.rootCauses[0];
  if (!r) return `build ${a.build} ${a.status} with no failed action recorded${a.infrastructure.dropouts.length ? `; ${a.infrastructure.dropouts.length} node dropout(s)` : ''}`;
  const what = r.kind === 'code' ? 'code failure' : r.kind === 'infrastructure' ? 'infrastructure failure' : 'interrupted';
  const changed = a.sinceGreen?.inputs.find((i) => i.actions.includes(r.action)) ?? r.changed[0];
  return `${what}: ${r.action} failed${r.node ? ` on ${r.node}` : ''} (${r.message})` +
    (a.rootCauses.length > 1 ? ` and ${a.rootCauses.length - 1} more independent failure(s)` : '') +
    (a.cascaded.length ? `; ${a.cascaded.length} action(s) cascaded` : '') +
    (changed ? `; changed input: ${changed.path}` : '');
}
