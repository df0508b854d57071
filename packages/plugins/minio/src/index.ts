import { CACHE_STAGE, FesterError, storeIsFor, type Build, type Compiler, type FesterPlugin } from '@fester/core';
import { Endpoint } from './Endpoint.js';
import { parseOptions, PLUGIN, type MinioOptions } from './options.js';
import { S3Tier } from './S3Tier.js';
import { S3TierFace } from './S3TierFace.js';

export type { MinioOptions } from './options.js';
export { CircuitBreaker } from './CircuitBreaker.js';

const WARNING_OF = { unreachable: 'FE0520', credentials: 'FE0521', 'bucket-missing': 'FE0522' } as const;

/**
 * The MinIO / S3 cache tier (stage 20, after memory and local disk). It never fails a
 * build: a dead, slow, misconfigured or poisoned endpoint becomes a journaled warning and
 * the build goes on with the others (or with no network tier at all).
 */
export default function minio(options: MinioOptions): FesterPlugin {
  const o = parseOptions(options);
  return {
    name: PLUGIN,
    apply(compiler: Compiler) {
      let current: Build | undefined;
      const warn = (code: string, message: string, extra: { endpoint?: string; key?: string } = {}) =>
        current?.emit({ type: 'cache.warning', tier: 'minio', code, message, ...extra });
      const endpoints = o.endpointConfigs.map((c) => new Endpoint(c, o.bucket, o.timeoutMs, o.breakerFailures, o.breakerCooldownMs));
      for (const ep of endpoints) {
        ep.onOpen = (message) => warn('FE0520', `S3 endpoint ${ep.id} is failing (${message}); going on without it for ${o.breakerCooldownMs} ms`, { endpoint: ep.id });
      }
      const tier = new S3Tier(endpoints, { prefix: o.prefix, quorum: o.quorum, readRepair: o.readRepair }, {
        corrupt: (r) => current?.emit({ type: 'cache.corrupt', tier: 'minio', key: r.key, ...(r.digest ? { digest: r.digest } : {}), message: r.message }),
        quorumUnmet: (r) => warn('FE0523', `entry stored on ${r.acked} of ${r.total} S3 endpoints, fewer than the write quorum of ${r.quorum}${r.errors.length ? ` (${r.errors[0]})` : ''}`, { key: r.key }),
        repaired: (r) => current?.emit({ type: 'plugin.event', plugin: PLUGIN, name: 'read-repair', data: { endpoint: r.endpoint, key: r.key, objects: r.objects } }),
      });

      compiler.cacheTiers.register(new S3TierFace(endpoints, o.prefix, o.bucket));

      // One start-up probe per endpoint and session; cache calls wait for it so a bad
      // endpoint is classified (coded warning) before it can cost a timeout per action.
      let probed: Promise<void> | undefined;
      const probe = () => (probed ??= Promise.all(endpoints.map(async (ep) => {
        let { result, message } = await ep.probe();
        if (result === 'bucket-missing' && o.createBucket) {
          const err = await ep.createBucket();
          if (!err) result = 'ok';
          else message += `; creating it failed: ${err}`;
        }
        if (result === 'ok') return;
        if (result === 'unreachable') ep.breaker.trip(message);
        else ep.breaker.disable(message);
        warn(WARNING_OF[result], `S3 endpoint ${ep.id}: ${message}; the build goes on without it`, { endpoint: ep.id });
      })).then(() => {}));

      compiler.hooks.beforeBuild.tapPromise(PLUGIN, async (build) => {
        current = build;
        const nodes = o.farmSize ?? compiler.nodes.length;
        if (nodes > 3 && endpoints.length === 1) {
          const message = `the farm has ${nodes} nodes but the S3 tier has a single endpoint (${endpoints[0]!.id}): one failure loses the shared cache`;
          if (o.redundancy === 'refuse') throw new FesterError('FE0524', { message });
          warn('FE0524', message, { endpoint: endpoints[0]!.id });
        }
        await probe();
      });
      compiler.hooks.build.tap(PLUGIN, (build) => {
        build.hooks.cacheGet.tapPromise({ name: PLUGIN, stage: CACHE_STAGE.network }, async (req) => {
          await probe();
          return tier.get(req.key);
        });
        build.hooks.cacheStore.tapPromise(PLUGIN, async (req) => {
          // While a volatile tier buffers the build's writes, it hands them to us at the barrier.
          if (!storeIsFor(req, 'persistent')) return;
          await probe();
          await tier.store(req.key, req.entry, req.blobs);
        });
        build.hooks.syncBarrier.tapPromise(PLUGIN, () => tier.flush());
      });
      compiler.hooks.shutdown.tapPromise(PLUGIN, async () => {
        await tier.flush();
        for (const ep of endpoints) ep.close();
      });
    },
  };
}
