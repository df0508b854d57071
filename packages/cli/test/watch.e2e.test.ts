import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { festerSpawn, fixture } from '../../../test/helpers.js';

type Line = { type: string; action?: string; status?: string; code?: string; message?: string };

/** Reads `fester watch --json` and hands out one build (its lines up to `result` or `error`) at a time. */
class WatchStream {
  private lines: Line[] = [];
  private buf = '';
  private waiters: (() => void)[] = [];
  constructor(readonly child: ReturnType<typeof festerSpawn>) {
    child.stdout!.on('data', (d: Buffer) => {
      this.buf += d.toString();
      const parts = this.buf.split('\n');
      this.buf = parts.pop()!;
      for (const p of parts) if (p.trim()) this.lines.push(JSON.parse(p));
      for (const w of this.waiters.splice(0)) w();
    });
  }
  /** The next finished build's lines (bounded wait). */
  async next(timeoutMs = 30_000): Promise<Line[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.lines.findIndex((l) => l.type === 'result' || l.type === 'error');
      if (end >= 0) return this.lines.splice(0, end + 1);
      if (Date.now() > deadline) throw new Error(`no build finished within ${timeoutMs} ms`);
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 200); });
    }
  }
  /** Count builds that finish within a quiet period. */
  async countBuilds(quietMs: number): Promise<number> {
    await new Promise((r) => setTimeout(r, quietMs));
    return this.lines.filter((l) => l.type === 'result' || l.type === 'error').length;
  }
}

const started = (ls: Line[]) => ls.filter((l) => l.type === 'action.started').map((l) => l.action!).sort();

describe('fester watch', () => {
  const fx = fixture('hello');
  let w: WatchStream;
  beforeAll(async () => {
    w = new WatchStream(festerSpawn(['watch', '--json', '-j', '2', '--debounce', '150'], { cwd: fx.dir, cache: fx.cache }));
    const first = await w.next(60_000);
    expect(first.at(-1)).toMatchObject({ type: 'result', status: 'success' });
  });
  afterAll(async () => {
    w.child.kill('SIGINT');
    await w.child;
    fx.cleanup();
  });

  it('editing a .c rebuilds it and its dependents only', async () => {
    appendFileSync(join(fx.dir, 'tool/shout.c'), 'int watch_extra(void) { return 1; }\n');
    expect(started(await w.next())).toEqual(['host/obj/shout/tool/shout.c.o', 'host/shout']);
  });

  it('editing a header rebuilds its includers', async () => {
    writeFileSync(join(fx.dir, 'include/util.h'), '#ifndef UTIL_H\n#define UTIL_H\n#define UTIL_FACTOR 5\n#endif\n');
    expect(started(await w.next())).toEqual(['host/hello', 'host/libgreet.a', 'host/obj/greet/lib/count.c.o', 'host/shout']);
  });

  it('adding a file matched by a glob adds it to the graph', async () => {
    writeFileSync(join(fx.dir, 'lib/added.c'), 'int added(void) { return 3; }\n');
    expect(started(await w.next())).toContain('host/obj/greet/lib/added.c.o');
  });

  it('a syntax error is reported and the next save recovers', async () => {
    const file = join(fx.dir, 'project.yaml');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, `${good}\nbroken: [\n`);
    const bad = await w.next();
    expect(bad.at(-1)).toMatchObject({ type: 'error', code: 'FE0101' });
    writeFileSync(file, good);
    expect((await w.next()).at(-1)).toMatchObject({ type: 'result', status: 'success' });
  });

  it('a failing build does not end the watch', async () => {
    const src = join(fx.dir, 'app/main.c');
    const good = readFileSync(src, 'utf8');
    writeFileSync(src, `${good}\nint broken = ;\n`);
    expect((await w.next()).at(-1)).toMatchObject({ type: 'result', status: 'failed' });
    writeFileSync(src, good);
    expect((await w.next()).at(-1)).toMatchObject({ type: 'result', status: 'success' });
  });

  it('50 rapid saves produce one or two builds', async () => {
    const before = await w.countBuilds(0);
    for (let i = 0; i < 50; i++) {
      appendFileSync(join(fx.dir, 'lib/count.c'), `/* save ${i} */\n`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const builds = (await w.countBuilds(4000)) - before;
    expect(builds).toBeGreaterThanOrEqual(1);
    expect(builds).toBeLessThanOrEqual(2);
    await w.next();
    if (builds === 2) await w.next();
  });

  it('Ctrl-C exits cleanly with status 0', async () => {
    const other = fixture('hello');
    const child = festerSpawn(['watch'], { cwd: other.dir, cache: other.cache });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    const deadline = Date.now() + 30_000;
    while (!err.includes('watching for changes') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(0);
    expect(err).toMatch(/stopped after 1 builds/);
    other.cleanup();
  });
});

describe('fester watch and festerconfig', () => {
  const fx = fixture('bad-inputs');
  const config = (tag: string) => writeFileSync(join(fx.dir, 'festerconfig.mjs'),
    `export default { plugins: [{ name: 'tagger', apply(c) { c.hooks.build.tap('tagger', (b) => b.hooks.afterResolve.tap('tagger', (a) => { b.emit({ type: 'plugin.event', plugin: 'tagger', name: 'tag', data: { tag: '${tag}' } }); return a; })); } }] };\n`);
  afterAll(() => fx.cleanup());

  it('a config change reloads the plugins and keeps the session', async () => {
    writeFileSync(join(fx.dir, 'project.yaml'), 'name: cfg\nartifacts:\n  - name: app\n    kind: executable\n    sources: [src/main.c]\n');
    config('one');
    const w = new WatchStream(festerSpawn(['watch', '--json', '--debounce', '100'], { cwd: fx.dir, cache: fx.cache }));
    try {
      const first = await w.next(60_000);
      const tag = (ls: Line[]) => (ls.find((l) => l.type === 'plugin.event') as unknown as { data: { tag: string }; session: string } | undefined);
      expect(tag(first)?.data.tag).toBe('one');
      config('two');
      const second = await w.next();
      expect(tag(second)?.data.tag).toBe('two');
      expect(tag(second)?.session).toBe(tag(first)?.session);
      writeFileSync(join(fx.dir, 'festerconfig.mjs'), 'export default { plugins: [,, };\n');
      expect((await w.next()).at(-1)).toMatchObject({ type: 'error', code: 'FE0201' });
      config('three');
      expect(tag(await w.next())?.data.tag).toBe('three');
    } finally {
      w.child.kill('SIGINT');
      await w.child;
    }
  });
});
