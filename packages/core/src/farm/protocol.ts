import { z } from 'zod';
import { FesterError } from '../errors/FesterError.js';

/**
 * The control protocol between coordinator, agents and build clients: JSON text frames on a
 * WebSocket (`/ws/agent`, `/ws/client`). Blobs never travel here; they go over HTTP `/cas`.
 * Every frame is validated on arrival: garbage is a coded error, never a crash.
 */

/** Frames larger than this are refused (FE0805) before they are parsed. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

/** `{{FESTER_ROOT}}` in argv/env stands for the project root; each side puts its own path there. */
export const ROOT_TOKEN = '{{FESTER_ROOT}}';

const digest = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 hex digest');
const relPath = z.string().min(1).max(4096);

export const fileRef = z.strictObject({ path: relPath, digest, mode: z.number().int().min(0).max(0o7777) });
export type FileRef = z.infer<typeof fileRef>;

export const outputRef = z.strictObject({ path: relPath, digest, mode: z.number().int().min(0).max(0o7777), size: z.number().int().nonnegative() });
export type OutputRef = z.infer<typeof outputRef>;

/** One action as an agent runs it: everything needed, nothing machine-specific. */
export const task = z.strictObject({
  action: z.string().min(1),
  kind: z.string(),
  target: z.string().min(1),
  /** The toolchain digest the action key was made with; the agent must hold the same. */
  toolchain: z.string(),
  argv: z.array(z.string()).min(1),
  env: z.record(z.string(), z.string()),
  /** Working directory relative to the project root. */
  cwd: z.string(),
  files: z.array(fileRef),
  /** Directories that must exist (order-only inputs that are directories, output parents). */
  dirs: z.array(relPath),
  outputs: z.array(relPath),
  depfile: relPath.optional(),
  project: z.string(),
  build: z.string().optional(),
  /** 'high' marks actions that use many cores (LTO links); schedulers may keep them off busy nodes. */
  parallel: z.enum(['normal', 'high']).optional(),
  /** 2 for a speculative duplicate of an action still running elsewhere: it gets a lease of its own. */
  copy: z.number().int().min(2).optional(),
});
export type Task = z.infer<typeof task>;

export const leaseRef = z.strictObject({ id: z.string().min(1), epoch: z.number().int().nonnegative() });
export type LeaseRef = z.infer<typeof leaseRef>;

const temp = z.strictObject({ sensor: z.string(), celsius: z.number() });
const guard = z.strictObject({
  allow: z.array(z.string()),
  nice: z.number().int().min(-20).max(19).optional(),
  slots: z.number().int().positive().optional(),
  memoryBytes: z.number().int().positive().optional(),
});

export const nodeFacts = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'letters, digits, . _ - (at most 63)'),
  kind: z.enum(['physical', 'vm', 'container']),
  arch: z.string(),
  cores: z.number().int().positive(),
  memoryBytes: z.number().nonnegative(),
  slots: z.number().int().positive(),
  labels: z.record(z.string(), z.string()),
  production: guard.optional(),
  load: z.number().nonnegative(),
  temps: z.array(temp),
  version: z.string(),
});
export type NodeFacts = z.infer<typeof nodeFacts>;

export const runResult = z.strictObject({
  exitCode: z.number().int().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  durationMs: z.number().nonnegative(),
  outputs: z.array(outputRef),
  /** The depfile's text (paths relative to the action directory), when the task named one. */
  depfile: z.string().optional(),
  infrastructure: z.boolean().optional(),
  message: z.string().optional(),
  /** FE code when the agent refused the task (path escape, missing toolchain). */
  code: z.string().optional(),
  /** Input blobs that arrived from the coordinator with the wrong bytes (each refetched). */
  corrupt: z.array(z.strictObject({ digest, attempt: z.number().int().positive() })).optional(),
});
export type RunResult = z.infer<typeof runResult>;

/** Agent → coordinator. */
export const agentMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('hello'), facts: nodeFacts }),
  /** Sent once the agent verified its toolchains: the node becomes schedulable. */
  z.strictObject({ type: z.literal('toolchains'), toolchains: z.record(z.string(), digest) }),
  /**
   * Every heartbeat interval. t0 = agent send time; `prev` carries the agent receive time (t3)
   * of the previous ack so the coordinator can estimate the clock offset NTP-style.
   */
  z.strictObject({
    type: z.literal('heartbeat'), t0: z.number(), load: z.number().nonnegative(), temps: z.array(temp), running: z.number().int().nonnegative(),
    prev: z.strictObject({ t0: z.number(), t1: z.number(), t2: z.number(), t3: z.number() }).optional(),
  }),
  z.strictObject({ type: z.literal('result'), lease: leaseRef, action: z.string(), result: runResult }),
]);
export type AgentMessage = z.infer<typeof agentMessage>;

/** Coordinator → agent. */
export type CoordinatorToAgent =
  | { type: 'welcome'; node: string; heartbeatMs: number; timeoutMs: number; session: string }
  | { type: 'ack'; t0: number; t1: number; t2: number }
  | { type: 'lease'; lease: LeaseRef; task: Task }
  | { type: 'revoke'; lease: LeaseRef; reason: string }
  | { type: 'error'; code: string; message: string };

/** Build client → coordinator. */
/** A batch of a build's journal lines, mirrored by the coordinator (see JournalMirror). */
const journalEvents = z.strictObject({
  type: z.literal('journal'),
  session: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'not a session id'),
  events: z.array(z.looseObject({ seq: z.number().int().positive(), ts: z.number(), session: z.string(), type: z.string().min(1) })).max(10_000),
});
export type JournalEvents = z.infer<typeof journalEvents>;

export const clientMessage = z.discriminatedUnion('type', [
  /** Ask to run a task on a node the client's scheduler chose. `req` is the client's id for it. */
  z.strictObject({ type: z.literal('run'), req: z.string().min(1), node: z.string(), task }),
  z.strictObject({ type: z.literal('cancel'), req: z.string().min(1) }),
  journalEvents,
]);
export type ClientMessage = z.infer<typeof clientMessage>;

/** A node as the coordinator publishes it (NodeInfo plus bookkeeping). */
export interface PublishedNode {
  id: string;
  kind: 'physical' | 'vm' | 'container';
  arch: string;
  slots: number;
  targets: string[];
  labels: Record<string, string>;
  toolchains: Record<string, string>;
  state: 'registering' | 'ready' | 'quarantined' | 'down';
  stateReason?: string;
  policy: 'preferred' | 'avoid' | 'neutral' | 'drain';
  production?: z.infer<typeof guard>;
  cores: number;
  memoryBytes: number;
  load: number;
  temps: { sensor: string; celsius: number }[];
  running: number;
  clockOffsetMs?: number;
  lastHeartbeat?: number;
  registeredAt?: number;
  version?: string;
}

/** Coordinator → build client. */
export type CoordinatorToClient =
  /** The whole node table, sent on connect and on every change: one consistent snapshot. */
  | { type: 'nodes'; version: number; nodes: PublishedNode[] }
  | { type: 'leased'; req: string; lease: LeaseRef; node: string }
  | { type: 'result'; req: string; node: string; lease: LeaseRef; result: RunResult }
  /** The run could not complete for infrastructure reasons (dropout, refused, unknown node). */
  | { type: 'failed'; req: string; node: string; code: string; message: string; infrastructure: true; causes?: number[] }
  /** A farm event for the client's journal (dropouts, revocations, refusals, quarantines). */
  | { type: 'event'; event: Record<string, unknown> & { type: string } }
  | { type: 'error'; code: string; message: string };

/** Parse one frame with a schema; a bad frame is FE0804 (FE0805 if oversized). */
export function parseFrame<T>(schema: z.ZodType<T>, data: string | Buffer): T {
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  if (size > MAX_FRAME_BYTES) throw new FesterError('FE0805', { message: `farm message of ${size} bytes exceeds ${MAX_FRAME_BYTES}` });
  let json: unknown;
  try { json = JSON.parse(String(data)); } catch {
    throw new FesterError('FE0804', { message: 'farm message is not JSON' });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FesterError('FE0804', { message: `malformed farm message at "${issue.path.join('.') || '(root)'}": ${issue.message}` });
  }
  return parsed.data;
}
