import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { Compiler } from '../src/Compiler.js';
import type { FesterPlugin } from '../src/config/types.js';
import type { ExecuteResult } from '../src/hooks.js';
import type { EventOf, FesterEvent } from '../src/journal/events.js';
import { readJournal } from '../src/journal/readJournal.js';
import { sha256 } from '../src/fingerprint/hash.js';
import type { NodeInfo } from '../src/types.js';

/**
 * Speculative duplicates as the core runner runs them, through public hooks only: a plugin
 * registers two nodes whose executor runs real processes in a scratch directory of their own
 * and writes outputs only when the runner commits (`deferOutputs`), and a `speculate` tap
 * proposes a second copy of any action running for over 300 ms.
 */
const base = mkdtempSync(join(tmpdir(), 'fester-spec-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const EXPECTED = 'generated 42\n';

interface Farm {
  /** Seconds each node's process sleeps before running the command. */
  delay: Record<string, number>;
  /** Nodes whose copy exits 1. */
  failOn?: string[];
  deferred?: boolean;
  /** 'place': proposals go through req.place; 'rogue': proposes the fast node without asking; 'none': no tap. */
  adviser: 'place' | 'rogue' | 'none';
  /** A schedule filter that refuses this node for every action (like a drained or hot node). */
  refuse?: string;
}

interface Seen { calls: { node: string; duplicate: boolean; deferOutputs: boolean }[]; cancelled: string[]; commits: string[]; adviserCalls: number; running: Map<string, number> }

function farm(f: Farm, seen: Seen): FesterPlugin {
  const nodes: NodeInfo[] = ['slow', 'fast'].map((id) => ({ id, kind: 'physical', arch: 'x86_64', slots: 1, targets: ['*'], labels: {}, state: 'ready', ...(f.deferred === false ? {} : { deferredOutputs: true }) }));
  return {
    name: 'test-farm',
    apply(compiler) {
      seen.running = compiler.running;
      compiler.hooks.beforeBuild.tapPromise('test-farm', async () => { compiler.replaceNodes(nodes); });
      compiler.hooks.build.tap('test-farm', (build) => {
        // The original goes to the slow node; filters run after scoring, as a guard would.
        build.hooks.schedule.tap('test-farm', (cands) => {
          for (const c of cands) {
            if (c.node.id === 'slow') c.score += 10;
            if (c.node.id === f.refuse) c.filtered = `policy drain: test refuses ${c.node.id}`;
          }
          return cands;
        });
        build.hooks.execute.tapPromise({ name: 'test-farm', stage: -10 }, async (req): Promise<ExecuteResult | undefined> => {
          const node = req.node.id;
          seen.calls.push({ node, duplicate: !!req.duplicate, deferOutputs: !!req.deferOutputs });
          const scratch = mkdtempSync(join(base, `run-${node}-`));
          for (const o of req.action.outputs) mkdirSync(dirname(join(scratch, o)), { recursive: true });
          const t0 = performance.now();
          mkdirSync(join(scratch, req.action.cwd), { recursive: true });
          // Two real processes: the delay (killed directly when the copy is aborted), then the command.
          const pause = await execa('sleep', [String(f.delay[node])], { cancelSignal: req.signal, reject: false });
          const r = pause.isCanceled ? pause : await execa(req.command.argv[0]!, req.command.argv.slice(1), { cwd: join(scratch, req.action.cwd), env: req.command.env, cancelSignal: req.signal, reject: false });
          const durationMs = performance.now() - t0;
          if (r.isCanceled) { seen.cancelled.push(node); return { exitCode: null, stdout: '', stderr: '', durationMs, message: 'cancelled' }; }
          if (f.failOn?.includes(node)) return { exitCode: 1, stdout: '', stderr: `broken on ${node}\n`, durationMs, message: `broken on ${node}` };
          const root = build.project!.root;
          const commit = () => {
            seen.commits.push(node);
            for (const o of req.action.outputs) copyFileSync(join(scratch, o), join(root, o));
          };
          if (!req.deferOutputs) commit();
          return { exitCode: r.exitCode ?? null, stdout: String(r.stdout), stderr: String(r.stderr), durationMs, ...(req.deferOutputs ? { commit } : {}) };
        });
        if (f.adviser === 'none') return;
        build.hooks.speculate.tap('test-adviser', (proposals, req) => {
          seen.adviserCalls++;
          for (const r of req.running) {
            if (Date.now() - r.startedAt < 300) continue;
            const node = f.adviser === 'rogue' ? req.idle.find((n) => n.id === 'fast') : req.place(r.action, req.idle.filter((n) => n.id !== r.node));
            if (!node) continue;
            const ev = build.emit({ type: 'schedule.speculation', action: r.action, node: node.id, original: r.node, elapsedMs: Date.now() - r.startedAt, predictedMs: 10, reason: 'test' });
            proposals.push({ action: r.action, node: node.id, cause: ev.seq });
          }
          return proposals;
        });
      });
    },
  };
}

async function run(name: string, f: Farm) {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'project.yaml'), `name: spec\nactions:\n  - id: gen\n    run: [sh, -c, "printf 'generated %s\\\\n' 42 > out/gen.txt"]\n    outputs: [out/gen.txt]\n`);
  const seen: Seen = { calls: [], cancelled: [], commits: [], adviserCalls: 0, running: new Map() };
  const compiler = new Compiler({ config: { plugins: [farm(f, seen)] }, cacheDir: join(base, `cache-${name}`), jobs: 2 });
  const t0 = Date.now();
  const r = await compiler.run({ file: join(dir, 'project.yaml') });
  const ms = Date.now() - t0;
  const journal = compiler.sessionJournal!.path!;
  await compiler.close();
  const events = readJournal(journal).events;
  const of = <T extends FesterEvent['type']>(t: T) => events.filter((e): e is EventOf<T> => e.type === t);
  const out = join(dir, 'build/host/out/gen.txt');
  const made = existsSync(out);
  return { r, ms, seen, events, of, bytes: made ? readFileSync(out, 'utf8') : undefined, digest: made ? sha256(readFileSync(out)) : undefined };
}

describe('speculative duplicates in the core runner', () => {
  it('a duplicate on an idle node wins: the original is aborted, only the winner commits, the build succeeds', async () => {
    const x = await run('dup-wins', { delay: { slow: 30, fast: 0 }, adviser: 'place' });
    expect(x.r.status).toBe('success');
    // Far sooner than the original's 30 s: the build did not wait for the aborted copy.
    expect(x.ms).toBeLessThan(10_000);
    expect(x.seen.calls).toEqual([{ node: 'slow', duplicate: false, deferOutputs: true }, { node: 'fast', duplicate: true, deferOutputs: true }]);
    expect(x.seen.cancelled).toEqual(['slow']);
    expect(x.seen.commits).toEqual(['fast']);
    expect(x.bytes).toBe(EXPECTED);
    const spec = x.of('schedule.speculation');
    expect(spec).toHaveLength(1);
    const started = x.of('action.started');
    expect(started.map((e) => e.node)).toEqual(['slow', 'fast']);
    expect(started[1]!.causes).toEqual([spec[0]!.seq]);
    const settled = x.of('speculation.settled');
    expect(settled).toHaveLength(1);
    expect(settled[0]).toMatchObject({ winner: 'fast', loser: 'slow', won: 'duplicate', loserStatus: 'cancelled', causes: [spec[0]!.seq] });
    const finished = x.of('action.finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ node: 'fast', status: 'success' });
    expect(finished[0]!.outputs).toEqual([{ path: 'build/host/out/gen.txt', digest: x.digest }]);
    expect(finished[0]!.seq).toBeGreaterThan(settled[0]!.seq);
    // Every copy's slot was given back.
    expect([...x.seen.running.values()].every((n) => n === 0)).toBe(true);
    // The duplicate was placed through the schedule hook with the original's node excluded.
    const placed = x.of('action.scheduled').at(-1)!;
    expect(placed.node).toBe('fast');
    expect(placed.candidates.find((c) => c.node === 'slow')?.filtered).toBe('speculation: runs the original');
  });

  it('a duplicate that fails does not fail the action: the original still runs and wins', async () => {
    const x = await run('dup-fails', { delay: { slow: 1.5, fast: 0 }, failOn: ['fast'], adviser: 'place' });
    expect(x.r.status).toBe('success');
    expect(x.seen.calls.map((c) => c.node)).toEqual(['slow', 'fast']);
    expect(x.seen.cancelled).toEqual([]);
    expect(x.seen.commits).toEqual(['slow']);
    expect(x.bytes).toBe(EXPECTED);
    expect(x.of('speculation.settled')[0]).toMatchObject({ winner: 'slow', loser: 'fast', won: 'original', loserStatus: 'failed', message: 'broken on fast' });
    const finished = x.of('action.finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ node: 'slow', status: 'success' });
    expect(finished[0]!.outputs![0]!.digest).toBe(x.digest);
  });

  it('when both copies fail the action fails once, with the failure of the code', async () => {
    const x = await run('both-fail', { delay: { slow: 1.2, fast: 0 }, failOn: ['slow', 'fast'], adviser: 'place' });
    expect(x.r.status).toBe('failed');
    expect(x.of('speculation.settled')[0]).toMatchObject({ winner: 'slow', loser: 'fast', won: 'neither', loserStatus: 'failed' });
    const finished = x.of('action.finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ node: 'slow', status: 'failed', exitCode: 1 });
  });

  it('without a speculate tap nothing is duplicated', async () => {
    const x = await run('no-adviser', { delay: { slow: 1.2, fast: 0 }, adviser: 'none' });
    expect(x.r.status).toBe('success');
    expect(x.seen.calls.map((c) => c.node)).toEqual(['slow']);
    expect(x.of('action.started')).toHaveLength(1);
    expect(x.of('speculation.settled')).toHaveLength(0);
    expect(x.bytes).toBe(EXPECTED);
  });

  it('a duplicate never goes where the schedule filters refuse the action, even when a tap proposes it', async () => {
    for (const adviser of ['place', 'rogue'] as const) {
      const x = await run(`refused-${adviser}`, { delay: { slow: 1.2, fast: 0 }, adviser, refuse: 'fast' });
      expect(x.r.status).toBe('success');
      expect(x.seen.adviserCalls).toBeGreaterThan(0);
      expect(x.seen.calls.map((c) => c.node)).toEqual(['slow']);
      expect(x.of('speculation.settled')).toHaveLength(0);
    }
  });

  it('nodes that write outputs in place are never raced (the hook is not even asked)', async () => {
    const x = await run('in-place', { delay: { slow: 1.2, fast: 0 }, adviser: 'place', deferred: false });
    expect(x.r.status).toBe('success');
    expect(x.seen.adviserCalls).toBe(0);
    expect(x.seen.calls).toEqual([{ node: 'slow', duplicate: false, deferOutputs: false }]);
    expect(x.bytes).toBe(EXPECTED);
  });
});
