import { appendFileSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fester, fixture, lastJournal } from '../../../test/helpers.js';

type Ev = Awaited<ReturnType<typeof lastJournal>>[number];
const started = (evs: Ev[]) => evs.filter((e) => e.type === 'action.started').map((e) => (e as { action: string }).action).sort();
const ofType = (evs: Ev[], t: string) => evs.filter((e) => e.type === t);

describe('hello fixture: static library, two executables, generated header', () => {
  const fx = fixture('hello');
  const build = () => fester(['build', '-j', '2'], { cwd: fx.dir, cache: fx.cache });
  const out = (p: string) => join(fx.dir, 'build/host', p);
  let first: { hello: Buffer; shout: Buffer; lib: Buffer };

  beforeAll(async () => {
    const r = await build();
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    first = { hello: readFileSync(out('hello')), shout: readFileSync(out('shout')), lib: readFileSync(out('libgreet.a')) };
  });
  afterAll(() => fx.cleanup());

  it('builds every action and the executables run', async () => {
    const evs = await lastJournal(fx.dir);
    expect(started(evs)).toEqual([
      'host/gen-version', 'host/hello', 'host/libgreet.a', 'host/obj/greet/lib/count.c.o', 'host/obj/greet/lib/greet.c.o',
      'host/obj/hello/app/main.c.o', 'host/obj/shout/tool/shout.c.o', 'host/shout',
    ]);
    expect((await execa(out('hello'))).stdout).toBe('hello, world (v1.2.3)');
    expect((await execa(out('shout'), ['abc'])).stdout).toBe('abc! 6 4');
  });

  it('a second build runs nothing, and rewrites no state', async () => {
    const state = join(fx.dir, 'build/.fester/state.json');
    const before = statSync(state).mtimeMs;
    await new Promise((res) => setTimeout(res, 20));
    const r = await build();
    expect(statSync(state).mtimeMs).toBe(before);
    expect(r.exitCode).toBe(0);
    const evs = await lastJournal(fx.dir);
    expect(started(evs)).toEqual([]);
    expect(ofType(evs, 'action.uptodate')).toHaveLength(8);
    expect(r.stdout).toContain('0 run, 0 from cache, 8 up to date');
  });

  it('touching a file without changing it rebuilds nothing (content, not mtime)', async () => {
    const f = join(fx.dir, 'lib/greet.c');
    writeFileSync(f, readFileSync(f));
    await build();
    expect(started(await lastJournal(fx.dir))).toEqual([]);
  });

  it('editing one .c recompiles only it and relinks its dependents', async () => {
    appendFileSync(join(fx.dir, 'tool/shout.c'), 'int shout_extra(void) { return 42; }\n');
    await build();
    const evs = await lastJournal(fx.dir);
    expect(started(evs)).toEqual(['host/obj/shout/tool/shout.c.o', 'host/shout']);
    const miss = ofType(evs, 'cache.miss').find((e) => (e as { action: string }).action.endsWith('shout.c.o')) as { reason: string; changed: { path: string }[] };
    expect(miss.reason).toBe('inputs-changed');
    expect(miss.changed.map((c) => c.path)).toEqual(['tool/shout.c']);
  });

  it('editing a library source relinks both executables', async () => {
    writeFileSync(join(fx.dir, 'lib/greet.c'), '#include "greet.h"\nconst char *greet_name(void) { return "fester"; }\n');
    await build();
    expect(started(await lastJournal(fx.dir))).toEqual(['host/hello', 'host/libgreet.a', 'host/obj/greet/lib/greet.c.o', 'host/shout']);
    expect((await execa(out('hello'))).stdout).toBe('hello, fester (v1.2.3)');
  });

  it('editing a header recompiles exactly its includers', async () => {
    writeFileSync(join(fx.dir, 'include/util.h'), '#ifndef UTIL_H\n#define UTIL_H\n#define UTIL_FACTOR 3\n#endif\n');
    await build();
    const evs = await lastJournal(fx.dir);
    expect(started(evs).filter((a) => a.endsWith('.o'))).toEqual(['host/obj/greet/lib/count.c.o']);
    const x = await fester(['explain', 'count.c.o'], { cwd: fx.dir, cache: fx.cache });
    expect(x.exitCode).toBe(0);
    expect(x.stdout).toContain('changed: include/util.h');
    expect((await execa(out('shout'), ['ab'])).stdout).toBe('ab! 6 4');
  });

  it('a change to the generated header input regenerates it and recompiles its includer', async () => {
    writeFileSync(join(fx.dir, 'VERSION'), '2.0.0\n');
    await build();
    expect(started(await lastJournal(fx.dir))).toEqual(['host/gen-version', 'host/hello', 'host/obj/hello/app/main.c.o']);
    expect((await execa(out('hello'))).stdout).toBe('hello, fester (v2.0.0)');
  });

  it('reverting edits is served from the cache, byte-identical to the first build', async () => {
    writeFileSync(join(fx.dir, 'VERSION'), '1.2.3\n');
    writeFileSync(join(fx.dir, 'lib/greet.c'), '#include "greet.h"\nconst char *greet_name(void) { return "world"; }\n');
    writeFileSync(join(fx.dir, 'include/util.h'), '#ifndef UTIL_H\n#define UTIL_H\n#define UTIL_FACTOR 2\n#endif\n');
    const src = join(fx.dir, 'tool/shout.c');
    writeFileSync(src, readFileSync(src, 'utf8').replace('int shout_extra(void) { return 42; }\n', ''));
    await build();
    const evs = await lastJournal(fx.dir);
    expect(started(evs)).toEqual([]);
    expect(readFileSync(out('hello')).equals(first.hello)).toBe(true);
    expect(readFileSync(out('shout')).equals(first.shout)).toBe(true);
  });

  it('deleting the out dir restores everything from the cache without running the compiler', async () => {
    rmSync(join(fx.dir, 'build'), { recursive: true });
    const r = await build();
    expect(r.exitCode).toBe(0);
    const evs = await lastJournal(fx.dir);
    expect(started(evs)).toEqual([]);
    expect(ofType(evs, 'cache.hit')).toHaveLength(8);
    expect(readFileSync(out('hello')).equals(first.hello)).toBe(true);
    expect(readFileSync(out('shout')).equals(first.shout)).toBe(true);
    expect(readFileSync(out('libgreet.a')).equals(first.lib)).toBe(true);
    const x = await fester(['explain', 'host/hello', '--json'], { cwd: fx.dir, cache: fx.cache });
    expect(JSON.parse(x.stdout)).toMatchObject({ outcome: 'cache-hit', tier: 'local' });
  });
});
