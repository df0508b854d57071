import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Build } from '../../Build.js';
import type { Compiler } from '../../Compiler.js';
import type { FesterPlugin } from '../../config/types.js';
import { isFesterError } from '../../errors/FesterError.js';
import type { ExecuteRequest, ExecuteResult } from '../../hooks.js';
import type { EventPayload } from '../../journal/events.js';
import { toNodeInfo } from '../coordinator/Farm.js';
import type { FarmEndpoint } from '../httpClient.js';
import { ROOT_TOKEN } from '../protocol.js';
import { FarmClient } from './FarmClient.js';
import { JournalOutbox } from './JournalOutbox.js';
import { TaskBuilder } from './taskFor.js';

/**
 * One lease per node waits behind its running ones: while a command runs, the next one's
 * inputs are already on their way, so a slot does not idle through every round trip.
 */
const LEASE_QUEUE = 1;

/**
 * Refusals that say the node went away, not that the action cannot run there: its lease was
 * revoked by a dropout (FE0817), or it dropped out or was not ready again between the node
 * snapshot this build scheduled from and the coordinator's check (FE0806, FE0809).
 */
const NODE_GONE = new Set(['FE0817', 'FE0806', 'FE0809']);

const NAME = 'fester:farm-client';
const BASE_FIELDS = new Set(['seq', 'ts', 'session', 'build', 'causes']);

/**
 * Sends a build's actions to a farm: the coordinator's node snapshot becomes the node
 * registry the scheduler reads, `execute` ships inputs by digest and brings outputs back
 * verified, and the farm's events (dropouts, revocations) land in this build's journal
 * with their causes, so the build can be explained without the coordinator's journal.
 */
export function farmClientPlugin(endpoint: FarmEndpoint): FesterPlugin {
  return {
    name: NAME,
    apply(compiler: Compiler) {
      let client: FarmClient | undefined;
      let current: Build | undefined;
      const localSeq = new Map<number, number>();

      const relay = (ev: Record<string, unknown> & { type: string }) => {
        if (!current) return;
        const payload = Object.fromEntries(Object.entries(ev).filter(([k]) => !BASE_FIELDS.has(k))) as EventPayload;
        const causes = ((ev.causes as number[] | undefined) ?? []).map((s) => localSeq.get(s)).filter((s): s is number => s !== undefined);
        const mine = current.emit(payload, causes);
        localSeq.set(ev.seq as number, mine.seq);
      };

      // The coordinator keeps a copy of this session's journal, so its API and UI show the build.
      const outbox = new JournalOutbox(compiler.sessionId, () => client);
      compiler.hooks.event.tap(NAME, (ev) => outbox.push(ev));

      compiler.hooks.beforeBuild.tapPromise(NAME, async (build) => {
        current = build;
        if (client && !client.connectionLost) return;
        client = new FarmClient(endpoint);
        // Agents run each task in a directory of their own and outputs come back as blobs: nothing
        // reaches the workspace before the runner commits, so farm nodes may run speculative copies.
        client.onNodes = (nodes) => compiler.replaceNodes(nodes.map((n) => ({ ...toNodeInfo(n), queue: LEASE_QUEUE, deferredOutputs: true })));
        client.onEvent = relay;
        client.onBlobCorrupt = (digest, attempt) => current?.emit({ type: 'blob.corrupt', digest, node: 'coordinator', where: 'client transfer', attempt });
        await client.connect();
        outbox.flush();
      });
      compiler.hooks.afterBuild.tapPromise(NAME, async () => { outbox.flush(); });

      compiler.hooks.build.tap(NAME, (build) => {
        const tasks = new TaskBuilder(build);
        build.hooks.execute.tapPromise(NAME, async (req) => {
          if (!client || req.node.id === 'local') return undefined;
          return runRemote(client, tasks, build, req, localSeq);
        });
      });

      compiler.hooks.shutdown.tapPromise(NAME, async () => { outbox.flush(); client?.close(); });
    },
  };
}

async function runRemote(client: FarmClient, tasks: TaskBuilder, build: Build, req: ExecuteRequest, localSeq: Map<number, number>): Promise<ExecuteResult> {
  const t0 = performance.now();
  const root = build.project!.root;
  const infra = (message: string, causes?: number[]): ExecuteResult => ({ exitCode: null, stdout: '', stderr: '', durationMs: performance.now() - t0, infrastructure: true, message, ...(causes?.length ? { causes } : {}) });
  try {
    const { task, paths } = await tasks.task(req.action, req.command);
    await client.upload(task.files.map((f) => f.digest), (d) => readFileSync(paths.get(d)!));
    // A duplicate is a second lease on the same action: its own copy number keeps the original's lease live.
    const ans = await client.run(req.duplicate ? { ...task, copy: 2 } : task, req.node.id, req.signal);
    if (ans.kind === 'failed') {
      const failed = infra(`${ans.code} ${ans.message}`, ans.causes?.map((s) => localSeq.get(s)).filter((s): s is number => s !== undefined));
      return NODE_GONE.has(ans.code) ? { ...failed, nodeLost: true } : failed;
    }
    const r = ans.result;
    for (const c of (r as { corrupt?: { digest: string; attempt: number }[] }).corrupt ?? []) {
      build.emit({ type: 'blob.corrupt', digest: c.digest, node: ans.node, where: 'agent fetch', attempt: c.attempt });
    }
    let commit: (() => void) | undefined;
    if (r.exitCode === 0 && !r.infrastructure) {
      // Fetched and verified before the result counts as a success, so committing cannot fail on the network.
      const blobs = await client.downloadAll(r.outputs.map((o) => o.digest));
      commit = () => {
        for (const o of r.outputs) writeAtomic(join(root, o.path), blobs.get(o.digest)!, o.mode);
        if (task.depfile && r.depfile !== undefined) writeAtomic(join(root, task.depfile), Buffer.from(r.depfile.split(ROOT_TOKEN).join(root)), 0o644);
      };
      if (!req.deferOutputs) { commit(); commit = undefined; }
    }
    return {
      ...(commit ? { commit } : {}),
      exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, durationMs: r.durationMs,
      ...(r.infrastructure ? { infrastructure: true } : {}), ...(r.message ? { message: r.code ? `${r.code} ${r.message}` : r.message } : {}),
    };
  } catch (e) {
    if (!isFesterError(e)) throw e;
    return infra(`${e.code} ${e.message}`);
  }
}

function writeAtomic(path: string, data: Buffer, mode: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.fester-tmp`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}
