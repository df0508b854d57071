import { festerSpawn } from './helpers.js';

export interface RunningServe { host: string; port: number; url: string; stop(): Promise<{ stdout: string; stderr: string }> }

/** Start `fester cache serve --port 0` on a cache dir and wait for its "listening" line (10 s max). */
export async function startServe(cache: string, cwd: string, token: string, host = '127.0.0.1'): Promise<RunningServe> {
  const proc = festerSpawn(['cache', 'serve', '--port', '0', '--host', host, '--token', token], { cwd, cache });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cache serve did not start: ${out}`)), 10_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    void proc.then((r) => { clearTimeout(timer); reject(new Error(`cache serve exited: ${String(r.stderr)}`)); });
  });
  return {
    host, port, url: `http://${host}:${port}`,
    async stop() {
      proc.kill('SIGTERM');
      const r = await proc;
      return { stdout: String(r.stdout), stderr: String(r.stderr) };
    },
  };
}
