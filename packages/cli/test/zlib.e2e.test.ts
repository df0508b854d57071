import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fester, fixture, lastJournal } from '../../../test/helpers.js';

type Ev = Awaited<ReturnType<typeof lastJournal>>[number];
const ofType = <T extends Ev['type']>(evs: Ev[], t: T) => evs.filter((e): e is Extract<Ev, { type: T }> => e.type === t);
const actionsOf = (evs: Ev[], t: 'action.started' | 'action.finished' | 'action.uptodate' | 'cache.hit') =>
  ofType(evs, t).map((e) => (e as { action: string }).action).sort();

/** zlib's library sources (top level of the fixture) and the actions they expand to. */
const LIB_SOURCES = [
  'adler32', 'compress', 'crc32', 'deflate', 'gzclose', 'gzlib', 'gzread', 'gzwrite',
  'infback', 'inffast', 'inflate', 'inftrees', 'trees', 'uncompr', 'zutil',
];
const ACTIONS = [
  ...LIB_SOURCES.map((s) => `host/obj/z/${s}.c.o`),
  'host/libz.a',
  'host/obj/example/test/example.c.o',
  'host/example',
  'host/obj/minigzip/test/minigzip.c.o',
  'host/minigzip',
].sort();
const OUTPUTS = ['libz.a', 'example', 'minigzip'] as const;

/** ~24 KB: compressible text interleaved with pseudo-random bytes (a fixed LCG, so reproducible). */
function payload(): Buffer {
  const parts: Buffer[] = [];
  let x = 0x12345678;
  for (let i = 0; i < 48; i++) {
    parts.push(Buffer.from(`line ${i}: the quick brown fox jumps over the lazy dog ${'z'.repeat(i % 17)}\n`.repeat(4)));
    const rnd = Buffer.alloc(160);
    for (let j = 0; j < rnd.length; j++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      rnd[j] = x >>> 24;
    }
    parts.push(rnd);
  }
  return Buffer.concat(parts);
}

describe('zlib fixture: a real C library (Debian zlib 1.2.13) built end to end', () => {
  const fx = fixture('zlib');
  const build = () => fester(['build', join(fx.dir, 'project.yaml')], { cwd: fx.dir, cache: fx.cache });
  const out = (p: string) => join(fx.dir, 'build/host', p);
  const readOutputs = () => Object.fromEntries(OUTPUTS.map((o) => [o, readFileSync(out(o))])) as Record<(typeof OUTPUTS)[number], Buffer>;
  let first: ReturnType<typeof readOutputs>;
  let firstRun: Awaited<ReturnType<typeof build>>;

  beforeAll(async () => {
    firstRun = await build();
    if (firstRun.exitCode === 0) first = readOutputs();
  });
  afterAll(() => fx.cleanup());

  it('builds the library and both programs, every action once and successfully', async () => {
    expect(firstRun.stderr).toBe('');
    expect(firstRun.exitCode).toBe(0);
    expect(firstRun.stdout).toContain(`${ACTIONS.length} run, 0 from cache, 0 up to date`);
    const evs = await lastJournal(fx.dir);
    const resolved = ofType(evs, 'graph.resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]).toMatchObject({ project: 'zlib', actions: ACTIONS.length, targets: ['host'] });
    expect([...resolved[0]!.artifacts].sort()).toEqual(['example', 'minigzip', 'z']);
    expect(actionsOf(evs, 'action.started')).toEqual(ACTIONS);
    const finished = ofType(evs, 'action.finished');
    expect(finished.map((e) => e.action).sort()).toEqual(ACTIONS);
    for (const e of finished) expect({ action: e.action, status: e.status, exitCode: e.exitCode }).toEqual({ action: e.action, status: 'success', exitCode: 0 });
    expect(ofType(evs, 'cache.hit')).toHaveLength(0);
    expect(ofType(evs, 'action.uptodate')).toHaveLength(0);
  });

  it('example (zlib\'s own self-test) runs and exits 0', async () => {
    const r = await execa(out('example'), [], { reject: false, cwd: fx.base });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('zlib version 1.2.13');
    expect(r.stdout).toContain('large_inflate(): OK');
    expect(r.stdout).toContain('inflate with dictionary: hello, hello!');
  });

  it('minigzip round-trips a few KB byte for byte, producing real gzip data', async () => {
    const data = payload();
    expect(data.length).toBeGreaterThan(16 * 1024);
    const gz = await execa(out('minigzip'), [], { input: data, encoding: 'buffer' });
    expect(gz.exitCode).toBe(0);
    const compressed = Buffer.from(gz.stdout);
    expect([...compressed.subarray(0, 2)]).toEqual([0x1f, 0x8b]); // gzip magic
    expect(compressed.length).toBeLessThan(data.length);
    const back = await execa(out('minigzip'), ['-d'], { input: compressed, encoding: 'buffer' });
    expect(back.exitCode).toBe(0);
    expect(Buffer.from(back.stdout).equals(data)).toBe(true);
  });

  it('a second build runs nothing: every action is up to date', async () => {
    const r = await build();
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`0 run, 0 from cache, ${ACTIONS.length} up to date`);
    const evs = await lastJournal(fx.dir);
    expect(actionsOf(evs, 'action.started')).toEqual([]);
    expect(ofType(evs, 'action.finished')).toHaveLength(0);
    expect(actionsOf(evs, 'action.uptodate')).toEqual(ACTIONS);
  });

  it('deleting the out dir restores everything from the cache, byte-identical, without compiling', async () => {
    rmSync(join(fx.dir, 'build'), { recursive: true });
    const r = await build();
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`0 run, ${ACTIONS.length} from cache, 0 up to date`);
    const evs = await lastJournal(fx.dir);
    expect(actionsOf(evs, 'action.started')).toEqual([]);
    expect(actionsOf(evs, 'cache.hit')).toEqual(ACTIONS);
    const again = readOutputs();
    for (const o of OUTPUTS) expect(again[o].equals(first[o]), o).toBe(true);
    const ex = await execa(out('example'), [], { reject: false, cwd: fx.base });
    expect(ex.exitCode).toBe(0);
  });
});
