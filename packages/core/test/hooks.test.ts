import { describe, expect, it } from 'vitest';
import { createBuildHooks, createCompilerHooks } from '../src/hooks.js';
import { FesterError } from '../src/errors/FesterError.js';
import { PluginError } from '../src/errors/PluginError.js';

describe('hooks', () => {
  it('are frozen: a plugin cannot replace a hook', () => {
    const h = createBuildHooks();
    expect(Object.isFrozen(h)).toBe(true);
    expect(() => { (h as Record<string, unknown>).resolve = null; }).toThrow();
  });
  it('wrap a sync tap error as PluginError naming plugin and hook', () => {
    const h = createCompilerHooks();
    h.initialize.tap('bad-plugin', () => { throw new Error('nope'); });
    try { h.initialize.call(); expect.unreachable(); } catch (e) {
      expect(e).toBeInstanceOf(PluginError);
      expect(e).toMatchObject({ plugin: 'bad-plugin', hook: 'initialize', code: 'FE0601' });
      expect((e as PluginError).message).toContain('nope');
    }
  });
  it('wrap promise taps, including a synchronous throw inside tapPromise', async () => {
    const h = createBuildHooks();
    h.afterResolve.tapPromise('sync-thrower', () => { throw new Error('early'); });
    await expect(h.afterResolve.promise([])).rejects.toMatchObject({ plugin: 'sync-thrower', hook: 'afterResolve' });
    const h2 = createBuildHooks();
    h2.cacheGet.tapPromise('async-thrower', async () => { throw new Error('late'); });
    await expect(h2.cacheGet.promise({ action: {} as never, key: 'k' })).rejects.toMatchObject({ plugin: 'async-thrower', hook: 'cacheGet' });
  });
  it('let a plugin’s own coded errors through unchanged', async () => {
    const h = createBuildHooks();
    const mine = new FesterError('FE0104', { message: 'mine' });
    h.resolve.tapPromise('resolver', async () => { throw mine; });
    await expect(h.resolve.promise({ file: 'x' })).rejects.toBe(mine);
  });
  it('ask bail-hook taps in stage order (cache tiers)', async () => {
    const h = createBuildHooks();
    const order: string[] = [];
    h.cacheGet.tapPromise({ name: 'network', stage: 20 }, async () => { order.push('network'); return undefined; });
    h.cacheGet.tapPromise({ name: 'memory', stage: -10 }, async () => { order.push('memory'); return undefined; });
    h.cacheGet.tapPromise({ name: 'disk', stage: 0 }, async () => { order.push('disk'); return undefined; });
    await h.cacheGet.promise({ action: {} as never, key: 'k' });
    expect(order).toEqual(['memory', 'disk', 'network']);
  });
});
