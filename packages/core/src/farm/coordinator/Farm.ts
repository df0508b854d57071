import type { Compiler } from '../../Compiler.js';
import type { CasStore } from '../../cas/CasStore.js';
import { isFesterError } from '../../errors/FesterError.js';
import type { EventPayload } from '../../journal/events.js';
import type { NodeInfo } from '../../types.js';
import type { AgentMessage, CoordinatorToAgent, PublishedNode, Task } from '../protocol.js';
import { Leases, type Lease, type LeaseOwner } from './Leases.js';
import { NodeTable, type NodeRecord } from './NodeTable.js';

export interface FarmTimings {
  heartbeatMs: number;
  /** Silence after which a node is a dropout (≤ 5 s by default). */
  timeoutMs: number;
  /** Clock offset beyond which a node is quarantined. */
  clockThresholdMs: number;
}

/** The agent end of a control socket, as the farm logic sees it. */
export interface AgentPort {
  send(frame: CoordinatorToAgent): void;
  close(code: number, reason: string): void;
}

/**
 * The coordinator's farm logic, free of sockets: registration, heartbeats and clock,
 * dropouts, leases and results. Every decision is an event in the coordinator's session
 * journal and is relayed to build clients, with `causes` linking effects to their causes.
 */
export class Farm {
  readonly nodes: NodeTable;
  readonly leases = new Leases();
  private readonly ports = new Map<string, AgentPort>();
  private readonly owners = new Set<LeaseOwner>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly compiler: Compiler, private readonly cas: CasStore, nodesFile: string, readonly timings: FarmTimings) {
    this.nodes = new NodeTable(nodesFile);
    this.nodes.onChange((snap, version) => {
      compiler.replaceNodes(snap.map(toNodeInfo));
      for (const o of this.owners) o.send({ type: 'nodes', version, nodes: snap });
    });
    compiler.replaceNodes(this.nodes.snapshot().map(toNodeInfo));
  }

  start(): void {
    this.timer = setInterval(() => this.sweep(Date.now()), Math.max(50, Math.min(250, this.timings.heartbeatMs / 2)));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Journal an event and relay it to every connected build client. */
  emit(payload: EventPayload, causes?: number[]): number {
    const ev = this.compiler.emit(payload, causes);
    for (const o of this.owners) o.send({ type: 'event', event: ev });
    return ev.seq;
  }

  addOwner(o: LeaseOwner): void {
    this.owners.add(o);
    o.send({ type: 'nodes', version: this.nodes.currentVersion, nodes: this.nodes.snapshot() });
  }

  /** A build client went away: its leases end and their agents stop the work. */
  removeOwner(o: LeaseOwner): void {
    this.owners.delete(o);
    for (const l of this.leases.ofOwner(o)) this.revoke(l, 'the build client disconnected');
  }

  onAgentFrame(port: AgentPort, nodeId: string | undefined, msg: AgentMessage, now: number, peer?: string): string | undefined {
    if (msg.type === 'hello') {
      const prev = this.ports.get(msg.facts.id);
      if (prev && prev !== port) {
        this.dropout(msg.facts.id, 'replaced by a new connection of the same node', now);
        prev.close(4000, 'replaced by a new connection');
      }
      this.ports.set(msg.facts.id, port);
      const rec = this.nodes.register(msg.facts, now);
      this.emit({ type: 'node.registered', node: rec.facts.id, kind: rec.facts.kind, arch: rec.facts.arch, cores: rec.facts.cores, slots: rec.facts.slots, production: !!rec.facts.production, ...(peer ? { address: peer } : {}) });
      port.send({ type: 'welcome', node: rec.facts.id, heartbeatMs: this.timings.heartbeatMs, timeoutMs: this.timings.timeoutMs, session: this.compiler.sessionId });
      return rec.facts.id;
    }
    const rec = nodeId ? this.nodes.get(nodeId) : undefined;
    if (!rec || !nodeId || this.ports.get(nodeId) !== port) return nodeId;
    rec.lastSeen = now;
    rec.silentSeq = undefined;
    if (msg.type === 'toolchains') {
      rec.toolchains = { ...msg.toolchains };
      rec.state = 'ready';
      this.nodes.settle(rec);
      this.nodes.changed(true);
      this.emit({ type: 'node.ready', node: nodeId, toolchains: rec.toolchains });
    } else if (msg.type === 'heartbeat') {
      port.send({ type: 'ack', t0: msg.t0, t1: now, t2: Date.now() });
      this.heartbeat(rec, msg, now);
    } else if (msg.type === 'result') {
      this.result(rec, msg);
    }
    return nodeId;
  }

  private heartbeat(rec: NodeRecord, msg: Extract<AgentMessage, { type: 'heartbeat' }>, now: number): void {
    const f = rec.facts;
    rec.facts = { ...f, load: msg.load, temps: msg.temps };
    rec.lastHeartbeat = now;
    if (msg.prev) rec.clock.add(msg.prev);
    const wasDown = rec.state === 'down';
    if (wasDown) rec.connected = true;
    const off = rec.clock.offsetMs;
    const limit = this.timings.clockThresholdMs;
    if (off !== undefined && !rec.clockQuarantined && Math.abs(off) > limit) {
      rec.clockQuarantined = true;
      const reason = `clock offset ${off} ms exceeds ±${limit} ms`;
      this.nodes.settle(rec, reason);
      this.emit({ type: 'node.quarantined', node: f.id, reason, offsetMs: off, thresholdMs: limit });
    } else if (off !== undefined && rec.clockQuarantined && Math.abs(off) <= limit * 0.8) {
      rec.clockQuarantined = false;
      this.nodes.settle(rec);
      this.emit({ type: 'node.quarantined', node: f.id, reason: `clock offset ${off} ms is back within ±${limit} ms`, offsetMs: off, thresholdMs: limit, cleared: true });
    } else if (wasDown && Object.keys(rec.toolchains).length) {
      this.nodes.settle(rec);
      this.emit({ type: 'node.ready', node: f.id, toolchains: rec.toolchains });
    }
    this.nodes.changed(false);
  }

  private result(rec: NodeRecord, msg: Extract<AgentMessage, { type: 'result' }>): void {
    const node = rec.facts.id;
    const c = this.leases.check(msg.lease, node);
    if ('stale' in c) {
      this.emit({ type: 'lease.refused', lease: msg.lease.id, epoch: msg.lease.epoch, currentEpoch: c.currentEpoch, action: msg.action, node, reason: c.stale });
      return;
    }
    const lease = c.lease;
    this.leases.end(lease);
    rec.running = Math.max(0, rec.running - 1);
    // Outputs must be in the store, whole: the agent uploaded them through the verifying PUT.
    const missing = msg.result.exitCode === 0 ? msg.result.outputs.filter((o) => !this.cas.has(o.digest)) : [];
    if (missing.length) {
      lease.owner.send({ type: 'failed', req: lease.req, node, code: 'FE0808', message: `outputs not in the coordinator store: ${missing.map((m) => m.path).join(', ')}`, infrastructure: true });
    } else {
      lease.owner.send({ type: 'result', req: lease.req, node, lease: this.leases.ref(lease), result: msg.result });
    }
    this.nodes.changed(false);
  }

  /** A client asks to run a task on a node; refusals are infrastructure failures it retries elsewhere. */
  run(owner: LeaseOwner, req: string, nodeId: string, task: Task, now: number): void {
    const fail = (code: string, message: string) => owner.send({ type: 'failed', req, node: nodeId, code, message, infrastructure: true });
    const rec = this.nodes.get(nodeId);
    const port = this.ports.get(nodeId);
    if (!rec || !port) return fail('FE0806', `unknown or disconnected node "${nodeId}"`);
    if (rec.state !== 'ready') return fail('FE0809', `node ${nodeId} is ${rec.state}${rec.stateReason ? ` (${rec.stateReason})` : ''}`);
    if (rec.policy === 'drain') return fail('FE0809', `node ${nodeId} is draining`);
    const prod = rec.facts.production;
    if (prod && !prod.allow.includes(task.project)) return fail('FE0810', `production node ${nodeId} does not allow project "${task.project}"`);
    if (task.toolchain && rec.toolchains[task.target] !== task.toolchain) return fail('FE0811', `node ${nodeId} has no toolchain ${task.toolchain.slice(0, 12)} for ${task.target}`);
    const lease = this.leases.grant(owner, req, nodeId, task, now);
    rec.running++;
    this.emit({ type: 'lease.granted', lease: lease.id, epoch: lease.epoch, action: task.action, node: nodeId, ...(task.build ? { build: task.build } : {}) });
    owner.send({ type: 'leased', req, lease: this.leases.ref(lease), node: nodeId });
    port.send({ type: 'lease', lease: this.leases.ref(lease), task });
    this.nodes.changed(false);
  }

  cancel(owner: LeaseOwner, req: string): void {
    const l = this.leases.byReq(owner, req);
    if (l) this.revoke(l, 'cancelled by the build client');
  }

  /** The agent's socket closed: that is a dropout now, not after the timeout. */
  agentClosed(port: AgentPort, nodeId: string | undefined, now: number): void {
    if (!nodeId || this.ports.get(nodeId) !== port) return;
    this.ports.delete(nodeId);
    this.dropout(nodeId, 'connection closed', now);
  }

  private sweep(now: number): void {
    for (const rec of this.nodes.all()) {
      if (rec.state === 'down' || !rec.connected) continue;
      const silent = now - rec.lastSeen;
      // A silence dropout is caused by its missed heartbeats (the node.silent of this silence).
      if (silent > this.timings.timeoutMs) this.dropout(rec.facts.id, `no heartbeat for ${silent} ms`, now, rec.silentSeq);
      else if (silent > 2 * this.timings.heartbeatMs && rec.silentSeq === undefined) {
        rec.silentSeq = this.emit({ type: 'node.silent', node: rec.facts.id, silentMs: silent, heartbeatMs: this.timings.heartbeatMs, timeoutMs: this.timings.timeoutMs });
      }
    }
  }

  private dropout(nodeId: string, reason: string, now: number, cause?: number): void {
    const rec = this.nodes.get(nodeId);
    if (!rec || rec.state === 'down') return;
    const leases = this.leases.onNode(nodeId);
    rec.connected = false;
    rec.running = 0;
    this.nodes.settle(rec, `dropout: ${reason}`);
    rec.silentSeq = undefined;
    const seq = this.emit({ type: 'node.dropout', node: nodeId, silentMs: now - rec.lastSeen, timeoutMs: this.timings.timeoutMs, leases: leases.length }, cause !== undefined ? [cause] : undefined);
    for (const l of leases) this.revoke(l, `node ${nodeId} dropped out (${reason})`, [seq]);
    this.nodes.changed(false);
  }

  private revoke(l: Lease, reason: string, causes?: number[]): void {
    this.leases.end(l);
    const rec = this.nodes.get(l.node);
    if (rec && rec.state !== 'down') rec.running = Math.max(0, rec.running - 1);
    const seq = this.emit({ type: 'lease.revoked', lease: l.id, epoch: l.epoch, action: l.action, node: l.node, reason }, causes);
    this.ports.get(l.node)?.send({ type: 'revoke', lease: this.leases.ref(l), reason });
    l.owner.send({ type: 'failed', req: l.req, node: l.node, code: 'FE0817', message: reason, infrastructure: true, causes: [seq] });
  }

  /** A request or frame refused at the door (auth, garbage, size): journaled, never fatal. */
  rejected(e: unknown, peer?: string): void {
    const code = isFesterError(e) ? e.code : 'FE0804';
    const message = e instanceof Error ? e.message : String(e);
    this.emit({ type: 'farm.rejected', code, message, ...(peer ? { peer } : {}) });
  }
}

export function toNodeInfo(p: PublishedNode): NodeInfo {
  return { ...p, targets: p.targets, labels: p.labels };
}
