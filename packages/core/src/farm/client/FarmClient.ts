import type WebSocket from 'ws';
import { CasStore } from '../../cas/CasStore.js';
import { FesterError } from '../../errors/FesterError.js';
import { farmRequest, openFarmSocket, type FarmEndpoint } from '../httpClient.js';
import type { FesterEvent } from '../../journal/events.js';
import type { CoordinatorToClient, PublishedNode, RunResult, Task } from '../protocol.js';

export type RunAnswer =
  | { kind: 'result'; node: string; result: RunResult }
  | { kind: 'failed'; node: string; code: string; message: string; causes?: number[] };

/** Parallel uploads/downloads of blobs. */
const BLOB_CONCURRENCY = 8;
const BLOB_TRIES = 3;
/** Journal lines per frame stay far below the protocol's frame cap. */
const JOURNAL_FRAME_BYTES = 1024 * 1024;

/**
 * A build's connection to a coordinator: the node snapshots it publishes, the runs this
 * build asked for, and the blob store. Losing the socket fails every pending run as an
 * infrastructure failure (FE0812) rather than hanging the build.
 */
export class FarmClient {
  private ws?: WebSocket;
  private readonly pending = new Map<string, (a: RunAnswer) => void>();
  private next = 0;
  private lost?: FesterError;
  /** Digests the coordinator is known to hold (no need to ask again). */
  private readonly stored = new Set<string>();
  onNodes: (nodes: PublishedNode[]) => void = () => {};
  onEvent: (event: Record<string, unknown> & { type: string }) => void = () => {};
  onBlobCorrupt: (digest: string, attempt: number) => void = () => {};

  constructor(readonly endpoint: FarmEndpoint) {}

  /** Connect and wait for the first node snapshot. */
  async connect(): Promise<void> {
    const ws = await openFarmSocket(this.endpoint, '/ws/client');
    this.ws = ws;
    let first: () => void = () => {};
    const ready = new Promise<void>((r) => { first = r; });
    ws.on('message', (data) => {
      let msg: CoordinatorToClient;
      try { msg = JSON.parse(String(data)) as CoordinatorToClient; } catch { return; }
      if (msg.type === 'nodes') { this.onNodes(msg.nodes); first(); }
      else if (msg.type === 'event') this.onEvent(msg.event);
      else if (msg.type === 'result') this.settle(msg.req, { kind: 'result', node: msg.node, result: msg.result });
      else if (msg.type === 'failed') this.settle(msg.req, { kind: 'failed', node: msg.node, code: msg.code, message: msg.message, ...(msg.causes ? { causes: msg.causes } : {}) });
    });
    ws.on('close', () => {
      this.lost = new FesterError('FE0812', { message: `lost the coordinator ${this.endpoint.url.origin}` });
      for (const [req] of this.pending) this.settle(req, { kind: 'failed', node: '', code: 'FE0812', message: this.lost.message });
    });
    ws.on('error', () => { /* close follows */ });
    await ready;
  }

  get connectionLost(): FesterError | undefined {
    return this.lost;
  }

  run(task: Task, node: string, signal: AbortSignal): Promise<RunAnswer> {
    if (this.lost || !this.ws) return Promise.resolve({ kind: 'failed', node, code: 'FE0812', message: this.lost?.message ?? 'not connected' });
    const req = String(++this.next);
    return new Promise((resolve) => {
      const onAbort = () => this.send({ type: 'cancel', req });
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(req, (a) => { signal.removeEventListener('abort', onAbort); resolve(a); });
      this.send({ type: 'run', req, node, task });
    });
  }

  /** Make sure the coordinator holds these blobs; `read` gives the bytes of one digest. */
  async upload(digests: string[], read: (digest: string) => Buffer): Promise<void> {
    const want = [...new Set(digests)].filter((d) => !this.stored.has(d));
    if (!want.length) return;
    const res = await farmRequest(this.endpoint, 'POST', '/cas/missing', JSON.stringify({ digests: want }));
    const missing = res.json<{ missing: string[] }>().missing;
    await pool(missing, async (d) => {
      // The coordinator checks every PUT against its digest; a transfer damaged on the way is sent again.
      for (let attempt = 1; ; attempt++) {
        const put = await farmRequest(this.endpoint, 'PUT', `/cas/${d}`, read(d));
        if (put.status === 201) return;
        if (attempt >= BLOB_TRIES) throw new FesterError('FE0808', { message: `coordinator refused blob ${d.slice(0, 12)}: ${put.body.toString('utf8').slice(0, 200)}` });
        this.onBlobCorrupt(d, attempt);
      }
    });
    for (const d of want) this.stored.add(d);
  }

  /** Fetch a blob and check it; a corrupted transfer is fetched again, then it is FE0808. */
  async download(digest: string): Promise<Buffer> {
    for (let attempt = 1; attempt <= BLOB_TRIES; attempt++) {
      const res = await farmRequest(this.endpoint, 'GET', `/cas/${digest}`);
      if (res.status === 200 && CasStore.digestOf(res.body) === digest) return res.body;
      if (res.status === 200) this.onBlobCorrupt(digest, attempt);
      else throw new FesterError('FE0808', { message: `coordinator has no blob ${digest.slice(0, 12)} (HTTP ${res.status})` });
    }
    throw new FesterError('FE0808', { message: `blob ${digest.slice(0, 12)} arrived corrupt ${BLOB_TRIES} times` });
  }

  async downloadAll(digests: string[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    await pool([...new Set(digests)], async (d) => { out.set(d, await this.download(d)); });
    return out;
  }

  close(): void {
    this.ws?.removeAllListeners('close');
    this.ws?.close();
    this.lost ??= new FesterError('FE0812', { message: 'farm connection closed' });
  }

  /** Journal lines for the coordinator's copy of this session, in frames well under the cap. */
  sendJournal(session: string, events: readonly FesterEvent[]): void {
    // Each event is serialised once: its text both sizes the frame and goes into it.
    const head = `{"type":"journal","session":${JSON.stringify(session)},"events":[`;
    let batch: string[] = [];
    let bytes = 0;
    const flush = () => { if (batch.length) this.sendText(`${head}${batch.join(',')}]}`); batch = []; bytes = 0; };
    for (const ev of events) {
      const text = JSON.stringify(ev);
      if (bytes + text.length > JOURNAL_FRAME_BYTES || batch.length >= 5000) flush();
      batch.push(text);
      bytes += text.length;
    }
    flush();
  }

  private send(frame: object): void {
    this.sendText(JSON.stringify(frame));
  }

  private sendText(text: string): void {
    if (this.ws && this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }

  private settle(req: string, a: RunAnswer): void {
    const fn = this.pending.get(req);
    if (!fn) return;
    this.pending.delete(req);
    fn(a);
  }
}

async function pool<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  const worker = async () => { while (i < items.length) await fn(items[i++]!); };
  await Promise.all(Array.from({ length: Math.min(BLOB_CONCURRENCY, items.length) }, worker));
}
