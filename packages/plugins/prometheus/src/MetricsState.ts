import type { FesterEvent } from '@fester/core';

/** Counts keyed by a label value (or a few joined with \0). */
export class Tally {
  readonly values = new Map<string, number>();
  inc(key: string, by = 1): void { this.values.set(key, (this.values.get(key) ?? 0) + by); }
}

export interface TierInfo { name: string; stage: number }

/**
 * The numbers behind /metrics, kept as plain counters from the journal events: cheap enough
 * to run in every build, while prom-client (≈100 ms to load) is only loaded at the first
 * scrape and reads these. Gauges of nodes (load, temperature, slots) are read from
 * `compiler.nodes` at scrape time instead.
 */
export class MetricsState {
  readonly actions = new Tally();
  readonly builds = new Tally();
  readonly cacheLookups = new Tally();
  readonly cacheMisses = new Tally();
  readonly cacheCorrupt = new Tally();
  readonly blobCorrupt = new Tally();
  readonly dropouts = new Tally();
  readonly leaseRevocations = new Tally();
  readonly leaseRefused = new Tally();
  readonly retries = new Tally();
  readonly farmRejected = new Tally();
  /** node → rule → throttled (rules: max, near, sustained-load). */
  readonly throttled = new Map<string, Map<string, boolean>>();
  /** `${build}\0${action}` of actions waiting for a slot or a node. */
  private readonly queued = new Set<string>();
  private readonly runningBuilds = new Set<string>();
  /** Decision latencies (s) not yet handed to the histogram (before the first scrape). */
  pendingDecisions: number[] = [];
  /** Set once the histogram exists: observations go straight to it. */
  observeDecision?: (seconds: number) => void;

  constructor(private readonly tiers: () => TierInfo[]) {}

  get queueLength(): number { return this.queued.size; }
  get buildsRunning(): number { return this.runningBuilds.size; }

  decision(seconds: number): void {
    if (this.observeDecision) { this.observeDecision(seconds); return; }
    // Nobody scraped yet: keep a bounded backlog (the newest count most).
    if (this.pendingDecisions.length >= 100_000) this.pendingDecisions.splice(0, 50_000);
    this.pendingDecisions.push(seconds);
  }

  on(ev: FesterEvent): void {
    const key = `${ev.build ?? ''}\0${'action' in ev ? String(ev.action) : ''}`;
    switch (ev.type) {
      case 'build.started': this.runningBuilds.add(ev.build ?? ''); break;
      case 'build.finished': {
        this.runningBuilds.delete(ev.build ?? '');
        this.builds.inc(ev.status);
        // Whatever was still queued will never start now.
        const prefix = `${ev.build ?? ''}\0`;
        for (const k of this.queued) if (k.startsWith(prefix)) this.queued.delete(k);
        break;
      }
      case 'action.uptodate': this.actions.inc('uptodate'); break;
      case 'cache.hit': {
        this.actions.inc('cached');
        // Every tier asked before the one that hit missed (tiers are asked in stage order).
        const stage = this.tiers().find((t) => t.name === ev.tier)?.stage;
        for (const t of this.tiers()) if (stage !== undefined && t.stage < stage) this.cacheLookups.inc(`${t.name}\0miss`);
        this.cacheLookups.inc(`${ev.tier}\0hit`);
        break;
      }
      case 'cache.miss':
        this.cacheMisses.inc(ev.reason);
        for (const t of this.tiers()) this.cacheLookups.inc(`${t.name}\0miss`);
        break;
      case 'cache.corrupt': this.cacheCorrupt.inc(ev.tier); break;
      case 'blob.corrupt': this.blobCorrupt.inc(ev.node); break;
      case 'action.queued': this.queued.add(key); break;
      case 'action.retry': this.retries.inc(ev.node); this.queued.add(key); break;
      case 'action.started': this.queued.delete(key); break;
      case 'action.finished':
        this.queued.delete(key);
        // An infrastructure failure is counted apart: it says nothing about the code, and it is usually retried elsewhere.
        this.actions.inc(ev.status === 'success' ? 'built' : ev.infrastructure ? 'lost' : ev.status);
        break;
      case 'action.skipped': this.queued.delete(key); this.actions.inc('skipped'); break;
      case 'node.dropout': this.dropouts.inc(ev.node); break;
      case 'lease.revoked': this.leaseRevocations.inc(ev.node); break;
      case 'lease.refused': this.leaseRefused.inc(ev.node); break;
      case 'farm.rejected': this.farmRejected.inc(ev.code); break;
      case 'node.throttled': this.throttle(ev.node, ev.rule, true); break;
      case 'node.unthrottled': this.throttle(ev.node, ev.rule, false); break;
      default: break;
    }
  }

  private throttle(node: string, rule: string, on: boolean): void {
    let rules = this.throttled.get(node);
    if (!rules) this.throttled.set(node, (rules = new Map()));
    rules.set(rule, on);
  }
}
