import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CasStore } from '../../src/cas/CasStore.js';
import { RequestVerifier } from '../../src/farm/auth.js';
import { ROOT_TOKEN, type AgentMessage, type Task } from '../../src/farm/protocol.js';
import { Agent } from '../../src/farm/agent/Agent.js';
import { baseEnv } from '../../src/toolchain/baseEnv.js';

/**
 * The agent daemon against a stand-in coordinator: just enough of /ws/agent and /cas to
 * drive registration, heartbeats, leases, revocation and a coordinator restart.
 */
const TOKEN = 'daemon-test-token';

class FakeCoordinator {
  readonly frames: AgentMessage[] = [];
  readonly blobs = new Map<string, Buffer>();
  /** Digests served with wrong bytes this many more times. */
  readonly corruptNext = new Map<string, number>();
  socket?: WebSocket;
  private server!: Server;
  private wss!: WebSocketServer;
  private waiters: { pred: (m: AgentMessage) => boolean; resolve: (m: AgentMessage) => void }[] = [];

  constructor(readonly session: string) {}

  async listen(port = 0): Promise<number> {
    const verifier = new RequestVerifier(TOKEN);
    this.wss = new WebSocketServer({ noServer: true });
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try { verifier.verify(req.method!, req.url!, req.headers); } catch { res.writeHead(401).end('{"code":"FE0802"}'); return; }
        const body = Buffer.concat(chunks);
        const d = req.url!.slice('/cas/'.length);
        if (req.method === 'GET') {
          const left = this.corruptNext.get(d) ?? 0;
          if (left > 0) { this.corruptNext.set(d, left - 1); res.writeHead(200).end('garbage'); return; }
          const b = this.blobs.get(d);
          res.writeHead(b ? 200 : 404).end(b);
        } else if (req.method === 'POST' && req.url === '/cas/missing') {
          const { digests } = JSON.parse(body.toString()) as { digests: string[] };
          res.writeHead(200).end(JSON.stringify({ missing: digests.filter((x) => !this.blobs.has(x)) }));
        } else if (req.method === 'PUT') {
          if (CasStore.digestOf(body) !== d) { res.writeHead(400).end('{"code":"FE0808"}'); return; }
          this.blobs.set(d, body);
          res.writeHead(201).end();
        } else res.writeHead(404).end();
      });
    });
    this.server.on('upgrade', (req, sock, head) => {
      try { verifier.verify('GET', req.url!, req.headers); } catch { sock.destroy(); return; }
      this.wss.handleUpgrade(req, sock, head, (ws) => this.accept(ws));
    });
    await new Promise<void>((r, rej) => { this.server.once('error', rej); this.server.listen(port, '127.0.0.1', r); });
    return (this.server.address() as { port: number }).port;
  }

  private accept(ws: WebSocket): void {
    this.socket = ws;
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as AgentMessage;
      this.frames.push(m);
      if (m.type === 'hello') this.send({ type: 'welcome', node: m.facts.id, heartbeatMs: 50, timeoutMs: 500, session: this.session });
      if (m.type === 'heartbeat') this.send({ type: 'ack', t0: m.t0, t1: Date.now(), t2: Date.now() });
      for (const w of [...this.waiters]) if (w.pred(m)) { this.waiters.splice(this.waiters.indexOf(w), 1); w.resolve(m); }
    });
  }

  send(frame: unknown): void { this.socket?.send(JSON.stringify(frame)); }

  next<T extends AgentMessage['type']>(type: T, pred: (m: Extract<AgentMessage, { type: T }>) => boolean = () => true): Promise<Extract<AgentMessage, { type: T }>> {
    return new Promise((resolve) => this.waiters.push({ pred: (m) => m.type === type && pred(m as Extract<AgentMessage, { type: T }>), resolve: resolve as (m: AgentMessage) => void }));
  }

  put(text: string): string {
    const d = CasStore.digestOf(Buffer.from(text));
    this.blobs.set(d, Buffer.from(text));
    return d;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));

  }
}

let base: string;
let coord: FakeCoordinator;
let agent: Agent;
let port: number;
const log: string[] = [];
const SKEW = 5000;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'fester-agent-daemon-'));
  mkdirSync(join(base, 'sys/class/thermal/thermal_zone0'), { recursive: true });
  writeFileSync(join(base, 'sys/class/thermal/thermal_zone0/type'), 'cpu\n');
  writeFileSync(join(base, 'sys/class/thermal/thermal_zone0/temp'), '47000\n');
  coord = new FakeCoordinator('s1');
  port = await coord.listen();
  agent = new Agent({
    coordinator: { url: new URL(`http://127.0.0.1:${port}`), auth: { token: TOKEN } },
    id: 'node-1', workDir: join(base, 'work'), slots: 4, kind: 'vm', labels: { rack: 'a' }, sysfsRoot: join(base, 'sys'),
    production: { allow: ['proj'], slots: 1, nice: 3 }, clockOffsetMs: SKEW, targets: ['host'], log: (l) => log.push(l),
  });
  const registered = coord.next('toolchains');
  await agent.start();
  await registered;
});
afterAll(async () => {
  await agent?.stop();
  await coord?.close();
  rmSync(base, { recursive: true, force: true });
});

function task(over: Partial<Task>): Task {
  return { action: 'act', kind: 'custom', target: 'host', toolchain: '', argv: ['true'], env: baseEnv(), cwd: '', files: [], dirs: [], outputs: [], project: 'proj', ...over };
}

describe('Agent', () => {
  it('registers: hello with its facts, then the verified toolchains', () => {
    const hello = coord.frames.find((f) => f.type === 'hello')!;
    expect(hello.type === 'hello' && hello.facts).toMatchObject({
      id: 'node-1', kind: 'vm', slots: 1, labels: { rack: 'a' }, production: { allow: ['proj'], slots: 1, nice: 3 }, temps: [{ sensor: 'cpu', celsius: 47 }],
    });
    const tc = coord.frames.find((f) => f.type === 'toolchains')!;
    expect(tc.type === 'toolchains' && Object.keys(tc.toolchains)).toEqual(['host']);
    expect(coord.frames.findIndex((f) => f.type === 'hello')).toBeLessThan(coord.frames.findIndex((f) => f.type === 'toolchains'));
  });

  it('heartbeats with its (skewed) clock and the previous round trip, so the offset can be estimated', async () => {
    const hb = await coord.next('heartbeat', (m) => m.prev !== undefined);
    const { t0, t1, t2, t3 } = hb.prev!;
    const offset = ((t0 - t1) + (t3 - t2)) / 2;
    expect(Math.abs(offset - SKEW)).toBeLessThan(100);
    expect(Math.abs(hb.t0 - (Date.now() + SKEW))).toBeLessThan(200);
    expect(hb.temps).toEqual([{ sensor: 'cpu', celsius: 47 }]);
  });

  it('runs a leased compile: fetches inputs (refetching a corrupt one), uploads the output, reports the result', async () => {
    const toolchain = (coord.frames.find((f) => f.type === 'toolchains') as Extract<AgentMessage, { type: 'toolchains' }>).toolchains.host!;
    const src = coord.put('int answer(void) { return 42; }\n');
    coord.corruptNext.set(src, 1);
    const lease = { id: 'compile', epoch: 3 };
    coord.send({ type: 'lease', lease, task: task({ kind: 'compile', toolchain, files: [{ path: 'src/a.c', digest: src, mode: 0o644 }], outputs: ['obj/a.o'], depfile: 'obj/a.d', argv: ['gcc', `-ffile-prefix-map=${ROOT_TOKEN}=.`, '-c', `${ROOT_TOKEN}/src/a.c`, '-o', 'obj/a.o', '-MD', '-MF', 'obj/a.d'] }) });
    const res = await coord.next('result', (m) => m.lease.id === 'compile');
    expect(res.lease).toEqual(lease);
    expect(res.result).toMatchObject({ exitCode: 0, outputs: [{ path: 'obj/a.o' }], corrupt: [{ digest: src, attempt: 1 }] });
    // Rooted at the token, whatever folder the agent ran it in.
    expect(res.result.depfile!.replace(/\\\n/g, ' ').replace(/\s+/g, ' ')).toContain(`obj/a.o: ${ROOT_TOKEN}/src/a.c `);
    expect(coord.blobs.has(res.result.outputs[0]!.digest)).toBe(true);
    // The lease's directory goes away after the result (in the background, bounded wait).
    const actions = join(base, 'work', 'actions');
    for (let i = 0; i < 100 && readdirSync(actions).length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(readdirSync(actions)).toEqual([]);
  });

  it('refuses a toolchain it did not verify (FE0811) and a project its production guard does not allow (FE0810)', async () => {
    coord.send({ type: 'lease', lease: { id: 'wrong-tc', epoch: 0 }, task: task({ toolchain: 'f'.repeat(64) }) });
    expect((await coord.next('result', (m) => m.lease.id === 'wrong-tc')).result).toMatchObject({ exitCode: null, infrastructure: true, code: 'FE0811' });
    coord.send({ type: 'lease', lease: { id: 'other-proj', epoch: 0 }, task: task({ project: 'secret' }) });
    expect((await coord.next('result', (m) => m.lease.id === 'other-proj')).result).toMatchObject({ infrastructure: true, code: 'FE0810' });
  });

  it('runs the production nice level, one lease at a time (production slots), and a revoked lease sends nothing', async () => {
    coord.send({ type: 'lease', lease: { id: 'long', epoch: 1 }, task: task({ argv: ['sh', '-c', 'sleep 30'] }) });
    coord.send({ type: 'lease', lease: { id: 'niced', epoch: 1 }, task: task({ argv: ['sh', '-c', 'nice'] }) });
    // Both held, one running: the heartbeat counts held leases.
    await coord.next('heartbeat', (m) => m.running === 2);
    coord.send({ type: 'revoke', lease: { id: 'long', epoch: 1 }, reason: 'test' });
    const niced = await coord.next('result', (m) => m.lease.id === 'niced');
    expect(Number(niced.result.stdout.trim())).toBeGreaterThanOrEqual(3);
    await coord.next('heartbeat', (m) => m.running === 0);
    expect(coord.frames.some((f) => f.type === 'result' && f.lease.id === 'long')).toBe(false);
    expect(log.some((l) => l.includes('lease long-1 revoked (test)'))).toBe(true);
  });

  it('comes back by itself when the coordinator restarts, dropping the leases the old one gave', async () => {
    coord.send({ type: 'lease', lease: { id: 'orphan', epoch: 0 }, task: task({ argv: ['sleep', '30'] }) });
    await coord.next('heartbeat', (m) => m.running === 1);
    await coord.close();
    coord = new FakeCoordinator('s2');
    await coord.listen(port);
    // Registered before any frame can arrive: hello and toolchains may come in one read.
    const [hello] = await Promise.all([coord.next('hello'), coord.next('toolchains'), coord.next('heartbeat', (m) => m.running === 0)]);
    expect(hello.facts.id).toBe('node-1');
    expect(log.some((l) => /disconnected/.test(l))).toBe(true);
    expect(coord.frames.some((f) => f.type === 'result')).toBe(false);
  });

  it('stops cleanly: a running lease is reported as an infrastructure failure, the socket closes', async () => {
    coord.send({ type: 'lease', lease: { id: 'at-stop', epoch: 0 }, task: task({ argv: ['sleep', '30'] }) });
    await coord.next('heartbeat', (m) => m.running === 1);
    const closed = new Promise((r) => coord.socket!.once('close', r));
    const result = coord.next('result', (m) => m.lease.id === 'at-stop');
    await agent.stop();
    expect((await result).result).toMatchObject({ infrastructure: true, code: 'FE0002' });
    await closed;
    expect(log.at(-1)).toBe('agent node-1: stopped');
  });
});
