import { randomBytes } from 'node:crypto';
import { Option } from 'clipanion';
import * as t from 'typanion';
import { defaultCacheDir, FesterError, LocalTier } from '@fester/core';
import { bazelCacheServer } from '../serve/BazelCacheServer.js';
import { TierBlobStore } from '../serve/TierBlobStore.js';
import { FesterCommand } from './FesterCommand.js';

/**
 * `fester cache serve`: Fester's local tier as a bazel-remote HTTP cache, so ccache
 * (`remote_storage=http://…|layout=bazel`) and Bazel (`--remote_cache=http://…`) share it.
 */
export class CacheServeCommand extends FesterCommand {
  static override paths = [['cache', 'serve']];
  static override usage = FesterCommand.Usage({
    description: 'Serve the local cache tier over the bazel-remote HTTP protocol (GET/HEAD/PUT /ac/<sha256>, /cas/<sha256>)',
    details: 'Reads are open; writes need the token (Authorization: Bearer <token>, or basic auth with the token as password, i.e. http://user:<token>@host:port). Without --token, $FESTER_CACHE_TOKEN is used, else a random token is made and printed. Runs until SIGINT or SIGTERM.',
    examples: [
      ['Serve on port 8080 with a token', 'fester cache serve --port 8080 --token s3cret'],
      ['ccache against it', 'CCACHE_REMOTE_STORAGE="http://ccache:s3cret@127.0.0.1:8080|layout=bazel" ccache gcc -c x.c'],
      ['Bazel against it', 'bazel build --remote_cache=http://bazel:s3cret@127.0.0.1:8080 //...'],
    ],
  });

  port = Option.String('--port', '8080', { validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(0, 65535)]), description: 'TCP port (0: any free port, printed)' });
  host = Option.String('--host', '127.0.0.1', { description: 'Address to listen on' });
  token = Option.String('--token', { description: 'Token that writes must carry (default: $FESTER_CACHE_TOKEN, else a random one)' });

  async run(): Promise<number> {
    const token = this.token ?? process.env.FESTER_CACHE_TOKEN ?? randomBytes(16).toString('hex');
    const tier = new LocalTier(defaultCacheDir());
    const store = new TierBlobStore(tier, (area, hash, message) =>
      this.context.stderr.write(`warning FE0501: corrupt ${area} entry ${hash.slice(0, 12)}… in the ${tier.name} tier: ${message}; removed\n`));
    const { server, stats } = bazelCacheServer(store, token);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => reject(new FesterError('FE0525', { message: `cannot listen on ${this.host}:${this.port}: ${e.code ?? e.message}` })));
      server.listen(Number(this.port), this.host, () => resolve());
    });
    const addr = server.address() as { port: number };
    this.context.stdout.write(`fester cache serve: listening on http://${this.host}:${addr.port} (cache ${tier.dir}; writes need ${this.token || process.env.FESTER_CACHE_TOKEN ? 'the token' : `the token ${token}`})\n`);
    const sig = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.context.stdout.write(`fester cache serve: stopped by ${sig}: ${stats.gets} reads (${stats.hits} hits, ${stats.misses} misses), ${stats.puts} writes, ${stats.refused} refused, ${stats.unauthorized} unauthorized\n`);
    return 0;
  }
}
