import { createHash } from 'node:crypto';
import type { LeaseRef, Task } from '../protocol.js';

/** The side that asked for a run and waits for its answer (a build client's socket). */
export interface LeaseOwner {
  readonly id: string;
  send(frame: object): void;
}

export interface Lease {
  id: string;
  epoch: number;
  action: string;
  build?: string;
  node: string;
  req: string;
  owner: LeaseOwner;
  task: Task;
  grantedAt: number;
}

/**
 * Leases `(action, node, epoch)`. The lease id names the action within its build, so every
 * re-dispatch of that action (after a dropout, on another node) is the same lease with a
 * higher epoch, and a result under any older epoch is recognisably stale.
 */
export class Leases {
  private readonly current = new Map<string, Lease>();
  private readonly epochs = new Map<string, number>();

  static idFor(task: Task): string {
    // A speculative copy is its own lease: granting it must not make the original's result stale.
    const copy = task.copy ? `\0copy${task.copy}` : '';
    return createHash('sha256').update(`${task.project}\0${task.build ?? ''}\0${task.action}${copy}`).digest('hex').slice(0, 20);
  }

  grant(owner: LeaseOwner, req: string, node: string, task: Task, now: number): Lease {
    const id = Leases.idFor(task);
    const epoch = (this.epochs.get(id) ?? 0) + 1;
    this.epochs.set(id, epoch);
    const lease: Lease = { id, epoch, action: task.action, ...(task.build ? { build: task.build } : {}), node, req, owner, task, grantedAt: now };
    this.current.set(id, lease);
    return lease;
  }

  /** The live lease a result refers to, or why it is stale. */
  check(ref: LeaseRef, node: string): { lease: Lease } | { stale: string; currentEpoch: number } {
    const lease = this.current.get(ref.id);
    const currentEpoch = this.epochs.get(ref.id) ?? 0;
    if (!lease) return { stale: currentEpoch ? 'lease was revoked or already completed' : 'unknown lease', currentEpoch };
    if (lease.epoch !== ref.epoch) return { stale: `epoch ${ref.epoch} is not the current ${lease.epoch}`, currentEpoch };
    if (lease.node !== node) return { stale: `lease belongs to node ${lease.node}`, currentEpoch };
    return { lease };
  }

  /** End a lease (completed or revoked); its epoch stays, so late results remain refusable. */
  end(lease: Lease): void {
    if (this.current.get(lease.id) === lease) this.current.delete(lease.id);
  }

  onNode(node: string): Lease[] {
    return [...this.current.values()].filter((l) => l.node === node);
  }

  ofOwner(owner: LeaseOwner): Lease[] {
    return [...this.current.values()].filter((l) => l.owner === owner);
  }

  byReq(owner: LeaseOwner, req: string): Lease | undefined {
    for (const l of this.current.values()) if (l.owner === owner && l.req === req) return l;
    return undefined;
  }

  ref(lease: Lease): LeaseRef {
    return { id: lease.id, epoch: lease.epoch };
  }

  get size(): number {
    return this.current.size;
  }
}
