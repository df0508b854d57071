import { createServer } from 'node:http';
import { join } from 'node:path';
import { Compiler } from '../../src/Compiler.js';
import { apiService } from '../../src/api/apiPlugin.js';

/**
 * A real loopback HTTP server mounting a Compiler's routes (as `fester build --serve` does):
 * unknown paths answer 404. `close` ends open event streams first, so it never waits on them.
 */
export async function serveRoutes(compiler: Compiler): Promise<{ base: string; close(): Promise<void> }> {
  const server = createServer((req, res) => { void compiler.routes.handle(req, res).then((h) => { if (!h) { res.statusCode = 404; res.end(); } }); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    base: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    async close() {
      apiService(compiler)?.closeStreams();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** The API over the journals of a session dir only (not this process's own session), served. */
export async function serveSessionDir(dir: string, tmp: string): Promise<{ compiler: Compiler; base: string; close(): Promise<void> }> {
  const compiler = new Compiler({ config: { plugins: [] }, cacheDir: join(tmp, 'cache') });
  const api = apiService(compiler)!;
  api.followOwnSession = false;
  api.addSessionDir(dir);
  return { compiler, ...(await serveRoutes(compiler)) };
}
