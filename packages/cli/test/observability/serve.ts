import type { ResultPromise } from 'execa';
import { festerSpawn } from '../../../../test/helpers.js';

/** A `fester` process that serves HTTP (`build --serve-keep`, `ui`), with its output so far. */
export interface Serving {
  url: string;
  child: ResultPromise;
  output(): string;
  /** Resolves once the output matches (bounded). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

/** Start `fester <args>` and wait for the "serving http://…" line it prints once listening. */
export async function startServing(args: string[], opts: { cwd: string; cache: string; env?: Record<string, string> }): Promise<Serving> {
  const child = festerSpawn(args, opts);
  let out = '';
  const waiters = new Set<() => void>();
  const take = (d: Buffer) => { out += d.toString(); for (const w of waiters) w(); };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const waitFor = (re: RegExp, timeoutMs = 60_000) => new Promise<RegExpExecArray>((resolve, reject) => {
    const check = () => {
      const m = re.exec(out);
      if (m) { waiters.delete(check); clearTimeout(timer); resolve(m); }
    };
    const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`no ${re} within ${timeoutMs} ms:\n${out}`)); }, timeoutMs);
    waiters.add(check);
    void child.then(() => { if (waiters.delete(check)) { clearTimeout(timer); reject(new Error(`fester exited before ${re}:\n${out}`)); } });
    check();
  });
  const url = (await waitFor(/serving (http:\/\/\S+)/))[1]!;
  return {
    url, child, output: () => out, waitFor,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([child, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** GET a JSON answer: status and body. */
export async function getJson<T = any>(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: T; type: string | null }> {
  const r = await fetch(url, { headers });
  return { status: r.status, type: r.headers.get('content-type'), body: (await r.json()) as T };
}

/** Read SSE frames from /api/events until `count` events with an id arrived (bounded). */
export async function sseEvents(url: string, count: number, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<{ id: number; data: any }[]> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  const got: { id: number; data: any }[] = [];
  try {
    const r = await fetch(url, { headers, signal: ctl.signal });
    if (r.status !== 200) throw new Error(`SSE ${url}: HTTP ${r.status} ${await r.text()}`);
    const dec = new TextDecoder();
    let buf = '';
    for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
      buf += dec.decode(chunk, { stream: true });
      let cut: number;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const id = /^id: (\d+)$/m.exec(frame);
        const data = /^data: (.*)$/m.exec(frame);
        if (id && data) got.push({ id: Number(id[1]), data: JSON.parse(data[1]!) });
      }
      if (got.length >= count) break;
    }
  } catch (e) {
    if (!ctl.signal.aborted) throw e;
  } finally {
    clearTimeout(timer);
    ctl.abort();
  }
  return got;
}
