import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FesterError } from '../../errors/FesterError.js';
import type { NodePolicy, NodeState } from '../../types.js';
import { ClockEstimator } from '../clock.js';
import type { NodeFacts, PublishedNode } from '../protocol.js';

export const POLICIES: readonly NodePolicy[] = ['preferred', 'avoid', 'neutral', 'drain'];

export interface NodeRecord {
  facts: NodeFacts;
  toolchains: Record<string, string>;
  state: NodeState;
  stateReason?: string;
  policy: NodePolicy;
  /** Coordinator time of the last frame from the node. */
  lastSeen: number;
  /** Coordinator time of the latest hello (0 for a node only known from nodes.json). */
  registeredAt: number;
  /** seq of the `node.silent` of the current silence (the dropout's cause), cleared by any frame. */
  silentSeq?: number;
  lastHeartbeat?: number;
  clock: ClockEstimator;
  clockQuarantined: boolean;
  running: number;
  connected: boolean;
}

interface Persisted {
  v: 1;
  nodes: Record<string, { facts: NodeFacts; toolchains: Record<string, string>; policy: NodePolicy }>;
}

/**
 * The coordinator's node table. Every change bumps `version` and hands listeners a whole
 * new snapshot, so a scheduler never sees a node half-registered. Facts and policies are
 * written to disk (atomically) so a restarted coordinator knows its farm and keeps drains.
 */
export class NodeTable {
  private readonly nodes = new Map<string, NodeRecord>();
  private version = 0;
  private readonly listeners: ((nodes: PublishedNode[], version: number) => void)[] = [];

  constructor(private readonly file: string) {
    let data: Persisted | undefined;
    try { data = JSON.parse(readFileSync(file, 'utf8')) as Persisted; } catch { /* first start */ }
    for (const [id, n] of Object.entries(data?.nodes ?? {})) {
      this.nodes.set(id, {
        facts: n.facts, toolchains: n.toolchains, policy: POLICIES.includes(n.policy) ? n.policy : 'neutral',
        state: 'down', stateReason: 'not connected since the coordinator started', lastSeen: 0, registeredAt: 0,
        clock: new ClockEstimator(), clockQuarantined: false, running: 0, connected: false,
      });
    }
  }

  get(id: string): NodeRecord | undefined {
    return this.nodes.get(id);
  }

  all(): NodeRecord[] {
    return [...this.nodes.values()];
  }

  onChange(fn: (nodes: PublishedNode[], version: number) => void): void {
    this.listeners.push(fn);
  }

  /** A (re)connecting agent: facts replace the old ones, the policy survives. */
  register(facts: NodeFacts, now: number): NodeRecord {
    const old = this.nodes.get(facts.id);
    const rec: NodeRecord = {
      facts, toolchains: {}, state: 'registering', policy: old?.policy ?? 'neutral', lastSeen: now,
      clock: new ClockEstimator(), clockQuarantined: false, running: 0, connected: true, registeredAt: now,
    };
    this.nodes.set(facts.id, rec);
    this.changed(true);
    return rec;
  }

  setPolicy(id: string, policy: string): NodePolicy {
    const rec = this.nodes.get(id);
    if (!rec) throw new FesterError('FE0806', { message: `unknown node "${id}"`, hint: `known nodes: ${[...this.nodes.keys()].join(', ') || '(none)'}` });
    if (!POLICIES.includes(policy as NodePolicy)) throw new FesterError('FE0813', { message: `invalid node policy "${policy}"` });
    const previous = rec.policy;
    rec.policy = policy as NodePolicy;
    this.changed(true);
    return previous;
  }

  /** Recompute a node's state from its facts: connected, toolchains verified, clock trusted. */
  settle(rec: NodeRecord, reason?: string): void {
    if (!rec.connected) rec.state = 'down';
    else if (rec.clockQuarantined) rec.state = 'quarantined';
    else if (Object.keys(rec.toolchains).length === 0 && rec.state === 'registering') rec.state = 'registering';
    else rec.state = 'ready';
    rec.stateReason = rec.state === 'ready' ? undefined : reason ?? rec.stateReason;
  }

  /** Publish after a change; `persist` when facts or policies changed (not for heartbeats). */
  changed(persist = false): void {
    this.version++;
    if (persist) this.save();
    const snap = this.snapshot();
    for (const fn of this.listeners) fn(snap, this.version);
  }

  snapshot(): PublishedNode[] {
    return [...this.nodes.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, r]) => publish(r));
  }

  get currentVersion(): number {
    return this.version;
  }

  private save(): void {
    const data: Persisted = { v: 1, nodes: {} };
    for (const [id, r] of this.nodes) data.nodes[id] = { facts: r.facts, toolchains: r.toolchains, policy: r.policy };
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data, null, 1));
    renameSync(tmp, this.file);
  }
}

function publish(r: NodeRecord): PublishedNode {
  const f = r.facts;
  return {
    id: f.id, kind: f.kind, arch: f.arch, slots: Math.min(f.slots, f.production?.slots ?? f.slots),
    targets: Object.keys(r.toolchains).sort(), labels: { ...f.labels }, toolchains: { ...r.toolchains },
    state: r.state, ...(r.stateReason ? { stateReason: r.stateReason } : {}), policy: r.policy,
    ...(f.production ? { production: f.production } : {}),
    cores: f.cores, memoryBytes: f.memoryBytes, load: f.load, temps: f.temps, running: r.running,
    ...(r.clock.offsetMs !== undefined ? { clockOffsetMs: r.clock.offsetMs } : {}),
    ...(r.lastHeartbeat ? { lastHeartbeat: r.lastHeartbeat } : {}), ...(r.registeredAt ? { registeredAt: r.registeredAt } : {}), version: f.version,
  };
}
