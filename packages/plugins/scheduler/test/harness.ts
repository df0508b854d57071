import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionGraph, Compiler, type ActionSpec, type Candidate, type FesterEvent, type FesterPlugin, type NodeInfo } from '@fester/core';
import { pick } from '../src/index.js';

/**
 * A real Compiler and Build with the given plugins (the core's defaults are applied too) over
 * a fixed node table: `place` runs the real `schedule` hook the runner calls, `start`/`finish`
 * feed the events the scheduler learns from.
 */
export function harness(plugins: FesterPlugin[], nodes: NodeInfo[], specs: ActionSpec[], cacheDir = mkdtempSync(join(tmpdir(), 'fester-sched-'))) {
  const compiler = new Compiler({ config: { plugins }, cacheDir });
  const events: FesterEvent[] = [];
  compiler.hooks.event.tap('test', (e) => { events.push(e); });
  compiler.replaceNodes(nodes);
  const build = compiler.createBuild({ file: '<test>', journal: false });
  build.graph = new ActionGraph(specs);
  const candidates = (): Candidate[] => compiler.nodes.map((node) => ({ node, score: 0, factors: {} }));
  return {
    compiler, build, events,
    /** Every candidate after the hook, and the node the core would take. */
    decide(id: string): { all: Candidate[]; chosen?: string } {
      const all = build.hooks.schedule.call(candidates(), build.graph!.get(id)!);
      return { all, chosen: pick(all)?.node.id };
    },
    place(id: string): string | undefined {
      return this.decide(id).chosen;
    },
    start(id: string, node: string): void {
      build.emit({ type: 'action.started', action: id, node, argv: ['cc'], cwd: '.' });
    },
    finish(id: string, node: string, ms: number): void {
      build.emit({ type: 'action.finished', action: id, node, exitCode: 0, durationMs: ms, status: 'success' });
    },
    decisions: () => events.filter((e): e is Extract<FesterEvent, { type: 'schedule.decision' }> => e.type === 'schedule.decision'),
  };
}

export function node(id: string, extra: Partial<NodeInfo> = {}): NodeInfo {
  return { id, kind: 'physical', arch: 'x86_64', slots: 4, targets: ['*'], labels: {}, state: 'ready', ...extra };
}

/** A compile of `target` reading the given input paths (digests in meta, as a farm client gives them). */
export function compile(id: string, target = 'x86_64-linux-gnu', inputDigests: string[] = [], extra: Partial<ActionSpec> = {}): ActionSpec {
  return { id, kind: 'compile', target, argv: ['cc', '-c', `${id}.c`], cwd: '.', inputs: inputDigests.map((d) => `src/${d}`), outputs: [`out/${id}.o`], orderOnly: [], env: {}, meta: { inputDigests }, ...extra };
}
