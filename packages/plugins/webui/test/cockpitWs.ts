import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { execa, type ResultPromise } from 'execa';

/**
 * Debian's real cockpit-ws for the Cockpit module test. `--local-session=cockpit-bridge`
 * starts the bridge as the current user for every connection, without a login (what
 * cockpit-desktop does), so a test running as root needs no account or password. Packages
 * are found the usual way: `$XDG_DATA_DIRS/cockpit/<name>/manifest.json`.
 */
const CANDIDATES = ['/usr/lib/cockpit/cockpit-ws', '/usr/libexec/cockpit-ws'];

export function cockpitWsBinary(): string {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error(`cockpit-ws is not installed (looked in ${CANDIDATES.join(', ')}); scripts/setup.sh installs cockpit-ws and cockpit-bridge`);
  return found;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface CockpitWs { url: string; proc: ResultPromise; stop(): Promise<void> }

/** Start cockpit-ws on loopback with `dataDir` first in XDG_DATA_DIRS; resolves once it answers. */
export async function startCockpitWs(dataDir: string): Promise<CockpitWs> {
  const port = await freePort();
  const proc = execa(cockpitWsBinary(), ['--local-session=cockpit-bridge', '--port', String(port), '--address', '127.0.0.1'], {
    reject: false,
    env: { XDG_DATA_DIRS: `${dataDir}:/usr/local/share:/usr/share`, LANG: 'C.UTF-8' },
  });
  let log = '';
  proc.stderr?.on('data', (d: Buffer) => { log += d.toString(); });
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/cockpit/@localhost/manifests.json`)).status > 0) break;
    } catch { /* not listening yet */ }
    if (proc.exitCode !== null || Date.now() > end) throw new Error(`cockpit-ws did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    proc,
    async stop() {
      proc.kill('SIGTERM');
      await Promise.race([proc.catch(() => undefined), new Promise((r) => setTimeout(r, 3000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
  };
}
