import { execa, type ResultPromise } from 'execa';
import { createServer } from 'node:net';

/** A free TCP port on `host` (bound and released: the caller binds it next). */
export async function freePort(host: string): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, host, () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface PromServer { url: string; proc: ResultPromise; output(): string; stop(): Promise<void> }

/** Debian's real `prometheus`, on loopback, with its TSDB in `dataDir`; resolves once it is ready. */
export async function startPrometheus(config: string, dataDir: string, host = '127.0.0.1'): Promise<PromServer> {
  const port = await freePort(host);
  const proc = execa('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=${host}:${port}`], { reject: false, all: true });
  let out = '';
  proc.all!.on('data', (d: Buffer) => { out += d.toString(); });
  const url = `http://${host}:${port}`;
  const end = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited:\n${out}`);
    try { if ((await fetch(`${url}/-/ready`)).ok) break; } catch { /* not up yet */ }
    if (Date.now() > end) throw new Error(`prometheus not ready in 30 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url, proc, output: () => out,
    async stop() { proc.kill('SIGTERM'); await Promise.race([proc, new Promise((r) => setTimeout(r, 5000))]); if (proc.exitCode === null) proc.kill('SIGKILL'); },
  };
}

/** Poll an instant query until `accept` takes its result (bounded); returns the result vector. */
export async function queryUntil(url: string, query: string, accept: (v: { metric: Record<string, string>; value: [number, string] }[]) => boolean, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
    const body = (await r.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    last = body;
    if (body.status === 'success' && accept(body.data.result)) return body.data.result;
    if (Date.now() > end) throw new Error(`query ${query} never satisfied: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
