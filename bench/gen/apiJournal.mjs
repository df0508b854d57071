import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A session journal of one build of `actions` compile actions, as the Journal writes it: the
 * event kinds and sizes of a real build (miss, queued, started, finished with outputs and
 * headers), so the API bench parses and serves what a 10k-action build leaves on disk.
 * `failAt` makes that action fail (changed input, compiler error) and the build red. The API
 * tests read the same journal (packages/core/test/api/bigJournal.test.ts).
 */
export function writeApiSession(dir, session, { t0, actions, failAt, pid = 1 }) {
  const build = `${session}.1`;
  const lines = [];
  let seq = 0;
  let ts = t0;
  const ev = (p, extra = {}) => {
    lines.push(JSON.stringify({ seq: ++seq, ts: ts++, session, ...(p.type === 'session.started' ? {} : { build }), ...extra, ...p }));
    return seq;
  };
  // pid 1 (the default) is alive and not ours: the index must not call the build abandoned.
  ev({ type: 'session.started', version: '0.1.0', cwd: '/tmp', pid });
  ev({ type: 'build.started', file: '/src/big/project.yaml', targets: [], jobs: 2, nodes: ['local'] });
  ev({ type: 'toolchain.resolved', target: 'host', digest: 'a'.repeat(64), version: 'gcc 12.2.0', tools: {} });
  ev({ type: 'graph.resolved', project: 'big', actions, edges: actions, artifacts: ['big'], targets: ['host'], durationMs: 1 });
  let failSeq = 0;
  for (let i = 0; i < actions; i++) {
    const action = `host/obj/big/src/f${i}.c.o`;
    const failed = i === failAt;
    ev({ type: 'cache.miss', action, key: 'k'.repeat(64), reason: failed ? 'inputs-changed' : 'no-previous-build', changed: failed ? [{ path: `src/f${i}.c`, before: '1'.repeat(64), after: '2'.repeat(64) }] : [] });
    ev({ type: 'action.queued', action, kind: 'compile', target: 'host' });
    ev({ type: 'action.started', action, node: 'local', argv: ['gcc', '-O2', '-c', `src/f${i}.c`, '-o', `build/host/obj/big/src/f${i}.c.o`], cwd: '.' });
    const s = failed
      ? ev({ type: 'action.finished', action, node: 'local', exitCode: 1, durationMs: 20, status: 'failed', stderr: `src/f${i}.c:1:1: error: boom`, infrastructure: false, message: 'exit code 1' })
      : ev({ type: 'action.finished', action, node: 'local', exitCode: 0, durationMs: 20, status: 'success', outputs: [{ path: `build/host/obj/big/src/f${i}.c.o`, digest: 'd'.repeat(64) }], headers: ['include/big.h'] });
    if (failed) failSeq = s;
  }
  ev({ type: 'build.finished', status: failAt === undefined ? 'success' : 'failed', durationMs: 1000, counts: {} }, failSeq ? { causes: [failSeq] } : {});
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${session}.jsonl`), `${lines.join('\n')}\n`);
  return { build, events: seq };
}
