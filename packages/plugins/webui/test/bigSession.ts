import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalEvent } from './timeline.js';

/**
 * A recorded session of one build with ~10k actions on a 4-node farm, written as a journal
 * file (the shape the core writes, with the webui plugin's graph event), for the "usable at
 * 10k actions" test: building 10k real actions would take the CI budget for nothing more.
 * Placement is a plain list scheduler, so node lanes and the Gantt chart have real overlap.
 */
export interface BigSession { session: string; build: string; actions: number; events: JournalEvent[]; file: string }

export function writeBigSession(dir: string, libs = 40, perLib = 250): BigSession {
  const session = '20261201T100000000Z-big10k';
  const build = `${session}.1`;
  const t0 = Date.UTC(2026, 11, 1, 10);
  const nodes = ['n1', 'n2', 'n3', 'n4'];
  const slots = nodes.flatMap((n) => Array.from({ length: 8 }, () => ({ node: n, free: t0 + 100 })));
  // Graph rows: [id, kind, target, artifact, ...deps] with the kinds/targets/artifacts tables.
  const rows: (string | number)[][] = [];
  const end: number[] = [];
  const timed: { ts: number; ev: Record<string, unknown> }[] = [];
  let rnd = 42;
  const random = () => ((rnd = (rnd * 1103515245 + 12345) % 2147483648) / 2147483648);
  const run = (id: string, kind: string, deps: number[], artifact: number) => {
    const i = rows.push([id, kind === 'compile' ? 0 : kind === 'archive' ? 1 : 2, 0, artifact, ...deps]) - 1;
    const ready = Math.max(t0 + 100, ...deps.map((d) => end[d]!));
    const slot = slots.reduce((a, b) => (b.free < a.free ? b : a));
    const start = Math.max(ready, slot.free);
    end[i] = start + 40 + Math.floor(random() * 400);
    slot.free = end[i]!;
    timed.push({ ts: ready, ev: { type: 'cache.miss', action: id, key: 'k'.repeat(64), reason: 'no-previous-build', changed: [] } });
    timed.push({ ts: ready, ev: { type: 'action.queued', action: id, kind, target: 'host' } });
    timed.push({ ts: start, ev: { type: 'action.started', action: id, node: slot.node, argv: ['gcc', '-c', id], cwd: '.' } });
    timed.push({ ts: end[i]!, ev: { type: 'action.finished', action: id, node: slot.node, exitCode: 0, durationMs: end[i]! - start, status: 'success', outputs: [] } });
    return i;
  };
  const archives: number[] = [];
  const artifacts: string[] = [];
  for (let l = 0; l < libs; l++) {
    artifacts.push(`lib${l}`);
    const objs = Array.from({ length: perLib }, (_, k) => run(`host/obj/lib${l}/src/f${k}.c.o`, 'compile', [], l));
    archives.push(run(`host/liblib${l}.a`, 'archive', objs, l));
  }
  for (let a = 0; a < 10; a++) {
    artifacts.push(`app${a}`);
    const main = run(`host/obj/app${a}/main.c.o`, 'compile', [], libs + a);
    run(`host/app${a}`, 'link', [main, ...archives.filter((_, k) => k % 10 === a || k < 4)], libs + a);
  }
  const last = Math.max(...end);
  const head: Record<string, unknown>[] = [
    { type: 'session.started', version: '0.1.0', cwd: '/src/big', pid: 1 },
    { type: 'build.started', build, file: '/src/big/project.yaml', targets: ['host'], jobs: 32, nodes },
    { type: 'graph.resolved', build, project: 'big', actions: rows.length, edges: 0, artifacts, targets: ['host'], durationMs: 50 },
    { type: 'plugin.event', build, plugin: '@fester/plugin-webui', name: 'graph', data: { v: 1, kinds: ['compile', 'archive', 'link'], targets: ['host'], artifacts, actions: rows } },
  ];
  timed.sort((a, b) => a.ts - b.ts);
  const all = [
    ...head.map((ev, k) => ({ ts: t0 + k, ev })),
    ...timed.map(({ ts, ev }) => ({ ts, ev: { build, ...ev } })),
    { ts: last + 5, ev: { type: 'build.finished', build, status: 'success', durationMs: last + 5 - t0, counts: { total: rows.length } } },
  ];
  const events = all.map(({ ts, ev }, k) => ({ seq: k + 1, ts, session, ...ev }) as unknown as JournalEvent);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${session}.jsonl`);
  writeFileSync(file, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
  return { session, build, actions: rows.length, events, file };
}
