import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Compiler } from '../../src/Compiler.js';
import { serveRoutes } from './serveRoutes.js';
import { Journal } from '../../src/journal/Journal.js';
import { SyntheticSession } from './syntheticJournal.js';

interface Sse { id?: number; event?: string; data: string }

/** Read an SSE response until `until` says stop; returns the messages and aborts the request. */
async function readSse(url: string, headers: Record<string, string>, until: (msgs: Sse[]) => boolean, onOpen?: () => void): Promise<Sse[]> {
  const ctl = new AbortController();
  const res = await fetch(url, { headers, signal: ctl.signal });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  onOpen?.();
  const reader = res.body!.getReader();
  const msgs: Sse[] = [];
  let buf = '';
  const dec = new TextDecoder();
  const deadline = Date.now() + 10_000;
  while (!until(msgs) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const m: Sse = { data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith('id: ')) m.id = Number(line.slice(4));
        else if (line.startsWith('event: ')) m.event = line.slice(7);
        else if (line.startsWith('data: ')) m.data += line.slice(6);
      }
      if (m.data) msgs.push(m);
    }
  }
  ctl.abort();
  return msgs;
}

describe('GET /api/events (SSE)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'fester-sse-'));
  const dir = join(tmp, '.fester', 'sessions');
  let served: Awaited<ReturnType<typeof serveRoutes>>;
  let base = '';
  let compiler: Compiler;

  beforeAll(async () => {
    const session = '20261125T100000000Z-live00';
    compiler = new Compiler({ config: { plugins: [] }, cacheDir: join(tmp, 'cache'), journal: new Journal(join(dir, `${session}.jsonl`), session) });
    served = await serveRoutes(compiler);
    base = served.base;
  });
  afterAll(async () => {
    await served.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const node = (i: number) => ({ type: 'node.left' as const, node: `n${i}`, reason: 'test' });

  it('replays the journal, then streams live events; resumes after Last-Event-ID', async () => {
    for (let i = 1; i <= 3; i++) compiler.emit(node(i));
    const first = await readSse(`${base}/api/events`, {}, (m) => m.filter((x) => x.id).length >= 5, () => {
      // Emitted after the client connected: these come live, through compiler.hooks.event.
      setTimeout(() => { compiler.emit(node(4)); compiler.emit(node(5)); }, 50);
    });
    const hello = first.find((m) => m.event === 'hello')!;
    expect(JSON.parse(hello.data)).toEqual({ session: compiler.sessionId, after: 0 });
    const ids = first.filter((m) => m.id).map((m) => m.id);
    expect(ids).toEqual([1, 2, 3, 4, 5]);
    expect(JSON.parse(first.find((m) => m.id === 4)!.data)).toMatchObject({ seq: 4, type: 'node.left', node: 'n4' });

    compiler.emit(node(6));
    const resumed = await readSse(`${base}/api/events`, { 'Last-Event-ID': '4' }, (m) => m.filter((x) => x.id).length >= 3, () => {
      setTimeout(() => compiler.emit(node(7)), 50);
    });
    expect(resumed.filter((m) => m.id).map((m) => m.id)).toEqual([5, 6, 7]);
  });

  it('filters by type, and rejects a malformed Last-Event-ID', async () => {
    const msgs = await readSse(`${base}/api/events?type=node.`, {}, (m) => m.filter((x) => x.id).length >= 7);
    expect(msgs.filter((m) => m.id).every((m) => JSON.parse(m.data).type.startsWith('node.'))).toBe(true);
    const bad = await fetch(`${base}/api/events`, { headers: { 'Last-Event-ID': 'x' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('FE1104');
    const unknown = await fetch(`${base}/api/events?session=nope`);
    expect(unknown.status).toBe(404);
  });

  it('follows a journal another process writes (fester ui over a running build)', async () => {
    const other = new SyntheticSession(dir, '20261125T110000000Z-other0', Date.UTC(2026, 10, 25, 11));
    other.startBuild('demo', 1);
    const msgs = await readSse(`${base}/api/events?session=${other.session}&lastEventId=2`, {}, (m) => m.some((x) => x.data.includes('build.finished')), () => {
      setTimeout(() => { other.run('host/a.c.o'); other.finish('success'); }, 100);
    });
    const seqs = msgs.filter((m) => m.id).map((m) => m.id!);
    expect(seqs[0]).toBe(3);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 3));
    expect(JSON.parse(msgs.at(-1)!.data).type).toBe('build.finished');
  });
});
