import type { BuildIndex } from '../api/BuildIndex.js';
import type { JournalIndex } from '../api/JournalIndex.js';
import type { FesterEvent } from '../journal/events.js';

/** What is different between the last green build of the project and the failed one. */
export interface SinceGreen {
  green: { build: string; session: string; finishedAt?: number };
  /** Builds after the green one, up to and including the failed one. */
  buildsSince: number;
  /** Inputs whose digest differs from the green state (per the cache misses since), root-cause inputs first. */
  inputs: { path: string; before?: string; after?: string; actions: string[] }[];
  /** Actions of the failed build whose command line differs from the last run at or before green. */
  commands: { action: string; added: string[]; removed: string[]; before: string[]; after: string[] }[];
  toolchains: { target: string; before?: { digest: string; version: string }; after?: { digest: string; version: string } }[];
  /** Actions that ran on another node than at their last success. */
  nodes: { action: string; before?: string; after?: string }[];
  /** Nodes the build could use, compared with the green build's. */
  farm: { added: string[]; removed: string[] };
}

/** How far back to look for an action's last command or node, in builds before the green one. */
const HISTORY_BUILDS = 20;
const MAX_INPUTS = 100;

export function eventsOf(index: JournalIndex, b: BuildIndex): FesterEvent[] {
  const log = index.session(b.session);
  return log ? b.positions.map((i) => log.events[i]!) : [];
}

/** Builds of the same project, oldest first: the same project file when known, else the same project name. */
export function sameProject(index: JournalIndex, b: BuildIndex): BuildIndex[] {
  return index.builds().filter((o) => (b.file && o.file ? o.file === b.file : o.project !== undefined && o.project === b.project));
}

/**
 * Compare a failed build with the last green build of its project. Input digests come from
 * the `cache.miss` events since green (before of the first, after of the last: a change undone
 * is no change); commands and nodes from the last `action.started` / success at or before green.
 */
export function sinceGreen(index: JournalIndex, failed: BuildIndex, rootActions: readonly string[]): SinceGreen | null {
  const history = sameProject(index, failed);
  const at = history.indexOf(failed);
  let g = -1;
  for (let i = (at < 0 ? history.length : at) - 1; i >= 0; i--) if (history[i]!.status === 'success') { g = i; break; }
  if (g < 0) return null;
  const green = history[g]!;
  const since = history.slice(g + 1, at < 0 ? undefined : at + 1);
  if (at < 0) since.push(failed);
  const failedEvents = eventsOf(index, failed);
  const greenEvents = eventsOf(index, green);

  const inputs = new Map<string, { before?: string; after?: string; actions: Set<string> }>();
  for (const b of since) {
    for (const ev of eventsOf(index, b)) {
      if (ev.type !== 'cache.miss') continue;
      for (const c of ev.changed) {
        const cur = inputs.get(c.path);
        if (!cur) inputs.set(c.path, { before: c.before, after: c.after, actions: new Set([ev.action]) });
        else { cur.after = c.after; cur.actions.add(ev.action); }
      }
    }
  }
  const roots = new Set(rootActions);
  const inputList = [...inputs].filter(([, v]) => v.before !== v.after)
    .map(([path, v]) => ({ path, ...(v.before ? { before: v.before } : {}), ...(v.after ? { after: v.after } : {}), actions: [...v.actions].sort() }))
    .sort((x, y) => Number(y.actions.some((a) => roots.has(a))) - Number(x.actions.some((a) => roots.has(a))) || x.path.localeCompare(y.path))
    .slice(0, MAX_INPUTS);

  // The last command and success node of each action, from green backwards.
  const started = new Map<string, FesterEvent & { type: 'action.started' }>();
  const lastNode = new Map<string, string>();
  for (const ev of failedEvents) if (ev.type === 'action.started') started.set(ev.action, ev);
  const wanted = new Set([...started.keys(), ...rootActions]);
  const prevArgv = new Map<string, string[]>();
  for (let i = g; i >= Math.max(0, g - HISTORY_BUILDS) && (prevArgv.size < wanted.size || lastNode.size < wanted.size); i--) {
    const evs = eventsOf(index, history[i]!);
    for (let j = evs.length - 1; j >= 0; j--) {
      const ev = evs[j]!;
      if (ev.type === 'action.started' && wanted.has(ev.action) && !prevArgv.has(ev.action)) prevArgv.set(ev.action, ev.argv);
      if (ev.type === 'action.finished' && ev.status === 'success' && wanted.has(ev.action) && !lastNode.has(ev.action)) lastNode.set(ev.action, ev.node);
    }
  }
  const commands: SinceGreen['commands'] = [];
  for (const [action, ev] of started) {
    const before = prevArgv.get(action);
    if (!before || sameArgv(before, ev.argv)) continue;
    const bset = new Set(before);
    const aset = new Set(ev.argv);
    commands.push({ action, added: ev.argv.filter((x) => !bset.has(x)), removed: before.filter((x) => !aset.has(x)), before, after: ev.argv });
  }
  commands.sort((x, y) => Number(roots.has(y.action)) - Number(roots.has(x.action)) || x.action.localeCompare(y.action));

  const tcOf = (evs: FesterEvent[]) => new Map(evs.flatMap((e) => (e.type === 'toolchain.resolved' ? [[e.target, { digest: e.digest, version: e.version }] as const] : [])));
  const tcBefore = tcOf(greenEvents);
  const tcAfter = tcOf(failedEvents);
  const toolchains: SinceGreen['toolchains'] = [];
  for (const target of new Set([...tcBefore.keys(), ...tcAfter.keys()])) {
    const before = tcBefore.get(target);
    const after = tcAfter.get(target);
    // A target the failed build never reached (refused early) is not a change.
    if (before && after && before.digest !== after.digest) toolchains.push({ target, before, after });
  }

  const nodes: SinceGreen['nodes'] = [];
  for (const action of rootActions) {
    const after = failedEvents.find((e) => e.type === 'action.started' && e.action === action) as { node: string } | undefined;
    const before = lastNode.get(action);
    if (after && before && after.node !== before) nodes.push({ action, before, after: after.node });
  }
  const nodesOf = (evs: FesterEvent[]) => new Set(evs.flatMap((e) => (e.type === 'build.started' ? e.nodes : [])));
  const nb = nodesOf(greenEvents);
  const na = nodesOf(failedEvents);
  return {
    green: { build: green.id, session: green.session, ...(green.finishedAt ? { finishedAt: green.finishedAt } : {}) },
    buildsSince: since.length,
    inputs: inputList,
    commands,
    toolchains,
    nodes,
    farm: { added: [...na].filter((n) => !nb.has(n)).sort(), removed: [...nb].filter((n) => !na.has(n)).sort() },
  };
}

function sameArgv(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
