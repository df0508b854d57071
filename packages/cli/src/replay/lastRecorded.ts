import type { Candidate, Compiler, NodeInfo } from '@fester/core';
import type { History } from '@fester/plugin-scheduler';
import type { NodeFacts, ReplayInput, ReplayNode, ThermalRecord } from './inputFormat.js';

type Factors = Candidate['factors'];

/** A record being written: its input, and the node snapshots its entries were taken from. */
export interface Pending {
  input: ReplayInput & { thermal: Record<string, ThermalRecord> };
  decided: boolean;
  /** Node snapshot and facts text per entry, remembered when the record is committed. */
  seen: { node: NodeInfo; text?: string }[];
}

/**
 * What the session's records said last, per node, so each record carries only changes. A
 * 1,000-node farm's candidates mostly look the same from one placement to the next; copying
 * every node's facts and factors into every record cost 6 ms per decision and about 60 KB of
 * journal (measured with the decision-cost benchmark). Node snapshots are immutable (a
 * heartbeat replaces them), so an unchanged snapshot is known by identity, without a copy.
 */
export class LastRecorded {
  private readonly entries = new Map<string, ReplayNode>();
  /** The last committed entry of each node, by the snapshot it was taken from. */
  private bySnapshot = new WeakMap<NodeInfo, ReplayNode>();
  private readonly factsText = new Map<string, string>();
  private order: string[] = [];
  private readonly thermal = new Map<string, ThermalRecord>();
  private readonly shares = new Map<string, number>();

  /** The mode's view of one placement before it runs (stage MODE_STAGE − 1), as changes. */
  begin(compiler: Compiler, action: string, cands: readonly Candidate[], history: History | undefined): Pending {
    const input: Pending['input'] = { action, now: Date.now(), delta: true, nodes: [], thermal: {}, locality: {} };
    const seen: Pending['seen'] = [];
    let sameOrder = cands.length === this.order.length;
    for (let i = 0; i < cands.length; i++) {
      const c = cands[i]!;
      const id = c.node.id;
      if (sameOrder && this.order[i] !== id) sameOrder = false;
      const running = compiler.running.get(id) ?? 0;
      // Looked up by the snapshot object itself (an identity hash, no string hashing): 1,000 per placement.
      const same0 = this.bySnapshot.get(c.node);
      const prev = same0 ?? this.entries.get(id);
      let facts: NodeFacts | undefined;
      let text: string | undefined;
      const newSnapshot = same0 === undefined;
      if (newSnapshot) {
        facts = factsOf(c.node);
        text = JSON.stringify(facts);
        if (this.factsText.get(id) === text) facts = undefined;
      }
      const same = prev !== undefined && prev.filtered === c.filtered && prev.waitMs === c.waitMs && prev.coreRunning === running && sameFactors(prev.factors, c.factors);
      if (same && !facts) {
        // A new snapshot with the same facts is remembered, not written.
        if (newSnapshot) seen.push({ node: c.node });
        continue;
      }
      const entry: ReplayNode = { id, factors: copyFactors(c.factors), coreRunning: running };
      if (facts) entry.facts = facts;
      if (c.filtered) entry.filtered = c.filtered;
      if (c.waitMs !== undefined) entry.waitMs = c.waitMs;
      input.nodes.push(entry);
      seen.push(facts ? { node: c.node, text: text! } : { node: c.node });
    }
    if (!sameOrder) input.order = cands.map((c) => c.node.id);
    if (history) { input.history = structuredClone(history.data); input.config = structuredClone(compiler.config.scheduler ?? {}); }
    return { input, decided: false, seen };
  }

  /** A thermal reading the mode got: noted when it differs from the node's last recorded one. */
  noteThermal(p: Pending, id: string, r: Readonly<Omit<ThermalRecord, 'maxCelsius'>>, maxCelsius: number): void {
    const was = this.thermal.get(id);
    if (was && was.celsius === r.celsius && was.trendPerMin === r.trendPerMin && was.state === r.state && was.sustained === r.sustained && was.maxCelsius === maxCelsius) return;
    const rec: ThermalRecord = { trendPerMin: r.trendPerMin, state: r.state, maxCelsius };
    if (r.celsius !== undefined) rec.celsius = r.celsius;
    if (r.sustained !== undefined) rec.sustained = r.sustained;
    p.input.thermal[id] = rec;
  }

  /** A locality answer the mode got (the count of digests is the decision's, the share the node's). */
  noteLocality(p: Pending, id: string, share: number, digests: number): void {
    p.input.localityDigests = digests;
    if (this.shares.get(id) !== share) p.input.locality[id] = { share, digests };
  }

  /** The record was written: its changes are now what the session said last. */
  commit(p: Pending): void {
    for (const e of p.input.nodes) this.entries.set(e.id, e);
    for (const s of p.seen) {
      const e = this.entries.get(s.node.id);
      if (e) this.bySnapshot.set(s.node, e);
      if (s.text !== undefined) this.factsText.set(s.node.id, s.text);
    }
    if (p.input.order) this.order = p.input.order;
    for (const [id, r] of Object.entries(p.input.thermal)) this.thermal.set(id, r);
    for (const [id, l] of Object.entries(p.input.locality)) this.shares.set(id, l.share);
  }
}

/** The NodeInfo fields a mode or filter reads (not the clock fields, which only the coordinator uses). */
function factsOf(n: NodeInfo): NodeFacts {
  const { id, kind, arch, slots, targets, labels, state, stateReason, policy, production, cores, load, temps, running, queue } = n;
  return structuredClone({ id, kind, arch, slots, targets, labels, state, stateReason, policy, production, cores, load, temps, running, queue, ...(n.toolchains ? { toolchainTargets: Object.keys(n.toolchains) } : {}) });
}

function sameFactors(a: Factors, b: Factors): boolean {
  let n = 0;
  for (const k in b) {
    const x = a[k];
    const y = b[k]!;
    if (!x || x.value !== y.value || x.weight !== y.weight) return false;
    n++;
  }
  for (const _ in a) n--;
  return n === 0;
}

function copyFactors(f: Factors): Factors {
  const out: Factors = {};
  for (const k in f) out[k] = { value: f[k]!.value, weight: f[k]!.weight };
  return out;
}
