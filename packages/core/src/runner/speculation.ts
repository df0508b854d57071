import type { Build } from '../Build.js';
import { hasTaps, type SpeculateRequest } from '../hooks.js';
import type { NodeInfo } from '../types.js';
import type { ActionRunner } from './ActionRunner.js';
import { chooseNode } from './chooseNode.js';

/**
 * How often idle capacity is offered to `speculate`. A straggler is by definition late by a
 * second or more, so half a second costs little of what a duplicate can save, and a poll is
 * cheap (a hook call over the running actions) when nothing is proposed.
 */
const POLL_MS = 500;
/** Duplicates started per poll: speculation uses spare slots, it must not flood the farm. */
const MAX_PER_POLL = 4;

/**
 * Offers idle capacity to the `speculate` hook: when nothing is ready to run and nodes have
 * free slots, a plugin may name running actions worth a second copy there (the first copy to
 * succeed is kept, see Race). Never runs without a tap, so builds in other modes are unchanged.
 */
export class Speculator {
  private timer?: ReturnType<typeof setInterval>;
  /** Per action, the filter reasons of its last unplaced duplicate: a refusal is journaled once. */
  private readonly refused = new Map<string, string>();

  constructor(private readonly build: Build, private readonly runner: ActionRunner, private readonly nothingReady: () => boolean) {}

  start(): void {
    if (!hasTaps(this.build.hooks.speculate) || this.timer) return;
    this.timer = setInterval(() => this.poll(), POLL_MS);
    // The build's own work keeps the process alive; this timer must not.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One offer of idle capacity; returns how many duplicates started. */
  poll(): number {
    const b = this.build;
    if (b.signal.aborted || !this.nothingReady()) return 0;
    const running = this.runner.duplicable();
    if (!running.length) return 0;
    const idle = b.compiler.nodes.filter((n) => n.deferredOutputs && busy(b, n) < n.slots);
    if (!idle.length) return 0;
    const approved = new Set<string>();
    const req: SpeculateRequest = { running, idle, max: MAX_PER_POLL, place: (action, among) => this.place(action, among, running, idle, approved) };
    let started = 0;
    for (const p of b.hooks.speculate.call([], req).slice(0, MAX_PER_POLL)) {
      // Only what `place` chose passed the schedule filters: anything else would bypass them.
      if (!approved.has(`${p.action}\0${p.node}`)) continue;
      const node = idle.find((n) => n.id === p.node);
      if (node && busy(b, node) < node.slots && this.runner.duplicate(p.action, node, p.cause)) started++;
    }
    return started;
  }

  /** The normal placement (chooseNode, every `schedule` filter) with every node but `among` excluded. */
  private place(actionId: string, among: readonly NodeInfo[], running: readonly { action: string; node: string }[], idle: readonly NodeInfo[], approved: Set<string>): NodeInfo | undefined {
    const b = this.build;
    const a = b.graph?.get(actionId);
    const original = running.find((r) => r.action === actionId);
    if (!a || !original) return undefined;
    const offered = new Set(among.filter((n) => idle.includes(n)).map((n) => n.id));
    const exclude = new Map<string, string>();
    for (const n of b.compiler.nodes) {
      if (n.id === original.node) exclude.set(n.id, 'speculation: runs the original');
      else if (!offered.has(n.id)) exclude.set(n.id, 'speculation: not an idle node offered for the duplicate');
    }
    const choice = chooseNode(b, a, exclude, undefined, this.refused.get(actionId));
    if (!choice.node) {
      if (choice.signature !== undefined) this.refused.set(actionId, choice.signature);
      return undefined;
    }
    this.refused.delete(actionId);
    approved.add(`${actionId}\0${choice.node.id}`);
    return choice.node;
  }
}

/** Actions on a node now: the farm's count (all builds) or this process's, whichever is higher. */
function busy(b: Build, n: NodeInfo): number {
  return Math.max(n.running ?? 0, b.compiler.running.get(n.id) ?? 0);
}
