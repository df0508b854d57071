import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Compiler } from '../src/Compiler.js';
import { storeIsFor, type CacheTier } from '../src/cache/CacheTier.js';
import { parseSize } from '../src/cache/size.js';
import type { CacheStoreRequest } from '../src/hooks.js';
import type { FesterPlugin } from '../src/config/types.js';

/**
 * The core's write-back mechanism without the tmpfs plugin: a fake volatile tier that holds
 * the build's persistent stores and hands them over at the sync barrier.
 */
const base = mkdtempSync(join(tmpdir(), 'fester-writeback-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function project(name: string): string {
  const dir = join(base, name);
  cpSync(join(__dirname, '../../../fixtures/tiers'), dir, { recursive: true, filter: (s) => !/festerconfig|\/build$|\.fester$/.test(s) });
  return join(dir, 'project.yaml');
}

function fakeVolatileTier(log: string[]): FesterPlugin {
  return {
    name: 'fake-ram',
    apply(compiler) {
      compiler.hooks.build.tap('fake-ram', (build) => {
        const held: CacheStoreRequest[] = [];
        build.writeBackTiers.add('fake-ram');
        build.hooks.cacheStore.tapPromise('fake-ram', async (req) => {
          if (!storeIsFor(req, 'volatile')) return;
          log.push(`ram:${req.key.slice(0, 6)}`);
          held.push(req);
        });
        build.hooks.syncBarrier.tapPromise('fake-ram', async () => {
          log.push('barrier');
          for (const req of held) await build.hooks.cacheStore.promise({ ...req, tiers: 'persistent' });
        });
      });
    },
  };
}

describe('write-back through build.writeBackTiers', () => {
  it('persistent tiers receive nothing before the barrier, and everything at it', async () => {
    const log: string[] = [];
    const compiler = new Compiler({ config: { plugins: [fakeVolatileTier(log)] }, cacheDir: join(base, 'cache1'), jobs: 2 });
    const local = compiler.cacheTiers.get('local')!;
    compiler.hooks.build.tap('spy', (build) => {
      build.hooks.cacheStore.tapPromise('spy', async (req) => { if (storeIsFor(req, 'persistent')) log.push('persistent'); });
    });
    const r = await compiler.run({ file: project('p1') });
    await compiler.close();
    expect(r.status).toBe('success');
    const barrier = log.indexOf('barrier');
    expect(barrier).toBeGreaterThan(0);
    expect(log.slice(0, barrier).every((l) => l.startsWith('ram:'))).toBe(true);
    expect(log.slice(barrier + 1)).toEqual(Array(barrier).fill('persistent'));
    expect((await local.stats()).entries).toBe(barrier);
  });

  it('without a volatile tier, stores carry no `tiers` and reach every tier at once', async () => {
    const seen: (string | undefined)[] = [];
    const compiler = new Compiler({ config: { plugins: [] }, cacheDir: join(base, 'cache2'), jobs: 2 });
    compiler.hooks.build.tap('spy', (build) => {
      build.hooks.cacheStore.tapPromise('spy', async (req) => { seen.push(req.tiers); });
    });
    expect((await compiler.run({ file: project('p2') })).status).toBe('success');
    await compiler.close();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((t) => t === undefined)).toBe(true);
  });
});

describe('cache tier helpers', () => {
  it('storeIsFor: undefined means every tier', () => {
    expect(storeIsFor({}, 'volatile')).toBe(true);
    expect(storeIsFor({}, 'persistent')).toBe(true);
    expect(storeIsFor({ tiers: 'volatile' }, 'persistent')).toBe(false);
    expect(storeIsFor({ tiers: 'persistent' }, 'persistent')).toBe(true);
  });

  it('parseSize: binary units, bad input is FE0503', () => {
    expect(parseSize('64k')).toBe(65536);
    expect(parseSize('1.5M')).toBe(1.5 * 1024 * 1024);
    expect(parseSize(' 2GiB ')).toBe(2 * 1024 ** 3);
    expect(parseSize(1000)).toBe(1000);
    expect(() => parseSize('lots', 'maxSize')).toThrow(expect.objectContaining({ code: 'FE0503' }));
  });

  it('the registry lists tiers in stage order; the local tier registers itself', () => {
    const compiler = new Compiler({ config: { plugins: [] }, cacheDir: join(base, 'cache3') });
    const fake = { name: 'ram', stage: -10, durability: 'volatile', location: '', stats: async () => ({ entries: 0, blobs: 0, bytes: 0 }), verify: async () => ({ checkedEntries: 0, checkedBlobs: 0, corrupt: [] }), gc: async () => ({ removedEntries: 0, removedBytes: 0, bytes: 0 }) } satisfies CacheTier;
    compiler.cacheTiers.register(fake);
    expect(compiler.cacheTiers.list().map((t) => t.name)).toEqual(['ram', 'local']);
  });
});
