import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { productionBlock, readNodeRecord, VmImage } from '../src/index.js';

const base = mkdtempSync(join(tmpdir(), 'fester-qcow2-'));
const cache = join(base, 'cache');
afterAll(() => rmSync(base, { recursive: true, force: true }));

let n = 0;
async function image(size = '64M'): Promise<string> {
  const p = join(base, `disk${++n}.qcow2`);
  await execa('qemu-img', ['create', '-q', '-f', 'qcow2', p, size]);
  return p;
}
/** Write a byte pattern into the guest's view of the disk (qemu-io ships with qemu-utils). */
const write = (img: string, pattern: number, offset: string, len: string) => execa('qemu-io', ['-c', `write -P ${pattern} ${offset} ${len}`, img]);
/** Exit 0 only if the guest sees `pattern` there. */
const reads = async (img: string, pattern: number, offset: string, len: string) =>
  !/Pattern verification failed/.test((await execa('qemu-io', ['-c', `read -P ${pattern} ${offset} ${len}`, img], { reject: false })).stdout);

describe('qcow2 internal snapshots on real images', () => {
  it('create, list, apply (rollback) and delete', async () => {
    const img = await image();
    const vm = new VmImage('vm-a', img, cache);
    await write(img, 0x11, '0', '1M');
    expect(await vm.create('s1')).toBe('s1');
    await write(img, 0x22, '0', '1M');
    expect(await reads(img, 0x22, '0', '1M')).toBe(true);
    expect((await vm.list()).map((s) => s.name)).toEqual(['s1']);
    await vm.apply('s1');
    expect(await reads(img, 0x11, '0', '1M')).toBe(true);
    await vm.delete('s1');
    expect(await vm.list()).toEqual([]);
    expect(readNodeRecord(cache, 'vm-a').digests).toEqual({});
  });

  it('compaction flattens old snapshots and the image shrinks', async () => {
    const img = await image();
    const vm = new VmImage('vm-b', img, cache);
    // Each snapshot pins 8 MiB that the next write copies: the file grows with every one.
    for (let i = 0; i < 4; i++) {
      await write(img, 0x30 + i, '0', '8M');
      await vm.create(`s${i}`);
    }
    await write(img, 0x40, '0', '8M');
    const r = await vm.compact(1);
    expect(r.removed).toEqual(['s0', 's1', 's2', 's3']);
    expect(r.after).toBeLessThan(r.before / 2);
    expect(statSync(img).size).toBe(r.after);
    // Current content survives; one fresh rollback point remains.
    expect(await reads(img, 0x40, '0', '8M')).toBe(true);
    expect((await vm.list()).map((s) => s.name)).toEqual([r.snapshot]);
    expect((await execa('qemu-img', ['check', img])).exitCode).toBe(0);
  });

  it('rollback test passes on a good snapshot and fails when its clusters rot; the result is persisted', async () => {
    const img = await image();
    const vm = new VmImage('vm-c', img, cache);
    await write(img, 0x55, '0', '1M');
    await vm.create('good');
    const ok = await vm.rollbackTest();
    expect(ok).toMatchObject({ ok: true, snapshot: 'good' });
    expect(readNodeRecord(cache, 'vm-c').lastRollbackTest).toMatchObject({ ok: true, snapshot: 'good' });
    expect(productionBlock(ok, 24)).toBeUndefined();
    // Flip a byte in a data cluster the snapshot shares with the active layer (bit rot).
    const map = JSON.parse((await execa('qemu-img', ['map', '--output=json', img])).stdout) as { data: boolean; offset?: number }[];
    const at = map.find((m) => m.data)!.offset! + 100;
    const fd = openSync(img, 'r+');
    writeSync(fd, Buffer.from([0xaa]), 0, 1, at);
    closeSync(fd);
    const bad = await vm.rollbackTest('good');
    expect(bad.ok).toBe(false);
    expect(bad.message).toMatch(/changed since it was taken/);
    const rec = readNodeRecord(cache, 'vm-c').lastRollbackTest!;
    expect(rec.ok).toBe(false);
    expect(productionBlock(rec, 24)).toMatch(/^FE0908 qcow2 rollback test failed \d{4}-\d\d-\d\dT/);
    // The test never touched the image itself: no snapshot applied, no overlay left behind.
    expect((await vm.list()).map((s) => s.name)).toEqual(['good']);
  });

  it('the production rule: never tested, failed, too old, fresh', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(productionBlock(undefined, 24, now)).toBe('FE0909 qcow2 rollback test never run');
    expect(productionBlock({ ok: true, at: now - 25 * 3_600_000, message: '' }, 24, now)).toMatch(/^FE0909 qcow2 rollback test too old: passed 2026-02-28T11:00:00.000Z, limit 24 h$/);
    expect(productionBlock({ ok: true, at: now - 3_600_000, message: '' }, 24, now)).toBeUndefined();
    expect(productionBlock({ ok: false, at: now, message: 'x' }, 24, now)).toBe('FE0908 qcow2 rollback test failed 2026-03-01T12:00:00.000Z: x');
  });
});

describe('qcow2 bad input: coded errors, nothing lost', () => {
  it('a snapshot name that does not exist is FE0903 and the image is unchanged', async () => {
    const img = await image();
    const vm = new VmImage('vm-d', img, cache);
    await write(img, 0x66, '0', '1M');
    await vm.create('keep');
    const before = readFileSync(img);
    for (const op of [() => vm.apply('nope'), () => vm.delete('nope')]) {
      await expect(op()).rejects.toMatchObject({ code: 'FE0903', message: expect.stringMatching(/has no snapshot "nope" \(it has: keep\)/) });
    }
    expect(readFileSync(img).equals(before)).toBe(true);
  });

  it('an image that is not qcow2 is FE0907; a missing image FE0911', async () => {
    const raw = join(base, 'disk.raw');
    await execa('qemu-img', ['create', '-q', '-f', 'raw', raw, '16M']);
    await expect(new VmImage('vm-e', raw, cache).create('s')).rejects.toMatchObject({ code: 'FE0907', message: expect.stringMatching(/is a raw image, not qcow2/) });
    await expect(new VmImage('vm-e', join(base, 'missing.qcow2'), cache).list()).rejects.toMatchObject({ code: 'FE0911' });
  });

  it('missing qemu-img is FE0906', async () => {
    const img = await image();
    process.env.FESTER_QEMU_IMG = join(base, 'no-such-qemu-img');
    try {
      await expect(new VmImage('vm-f', img, cache).list()).rejects.toMatchObject({ code: 'FE0906' });
    } finally {
      delete process.env.FESTER_QEMU_IMG;
    }
  });
});
