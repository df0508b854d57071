import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CasStore } from '../../src/cas/CasStore.js';
import { RequestVerifier } from '../../src/farm/auth.js';
import type { FarmEndpoint } from '../../src/farm/httpClient.js';
import { ROOT_TOKEN, type Task } from '../../src/farm/protocol.js';
import { ActionDir, assertNoSymlink, safeRelPath, uploadOutputs } from '../../src/farm/agent/workspace.js';

const TOKEN = 'test-token';
let cleanup: (() => void | Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanup.reverse()) await c(); cleanup = []; });

function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'fester-agent-ws-'));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function blob(text: string) {
  const data = Buffer.from(text);
  return { data, digest: CasStore.digestOf(data) };
}

function task(over: Partial<Task> = {}): Task {
  return { action: 'a1', kind: 'compile', target: 'host', toolchain: '', argv: ['true'], env: {}, cwd: '', files: [], dirs: [], outputs: [], project: 'p', ...over };
}

/** A stand-in for the coordinator's /cas endpoints; checks every request is signed. */
async function casServer(handler: (method: string, path: string, body: Buffer) => { status: number; body?: Buffer | string }): Promise<{ ep: FarmEndpoint; log: string[] }> {
  const verifier = new RequestVerifier(TOKEN);
  const log: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try { verifier.verify(req.method!, req.url!, req.headers); } catch {
        res.writeHead(401).end(JSON.stringify({ code: 'FE0802' }));
        return;
      }
      log.push(`${req.method} ${req.url}`);
      const r = handler(req.method!, req.url!, Buffer.concat(chunks));
      res.writeHead(r.status).end(r.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  const port = (server.address() as { port: number }).port;
  return { ep: { url: new URL(`http://127.0.0.1:${port}`), auth: { token: TOKEN } }, log };
}

const lease = { id: 'L1', epoch: 2 };

describe('path safety', () => {
  it('normalises relative paths and refuses absolute ones and .. escapes (FE0807)', () => {
    expect(safeRelPath('a/./b//c', 'input')).toBe('a/b/c');
    expect(safeRelPath('a/x/../b', 'input')).toBe('a/b');
    expect(safeRelPath('', 'cwd', true)).toBe('');
    expect(safeRelPath('./', 'cwd', true)).toBe('');
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', '..', 'a/..']) {
      expect(() => safeRelPath(bad, 'input'), bad).toThrow(expect.objectContaining({ code: 'FE0807' }));
    }
  });

  it('refuses a task naming an escaping input, dir, output, depfile or cwd, before writing anything', async () => {
    const work = scratch();
    const cas = new CasStore(join(work, 'cas'));
    const b = blob('x');
    cas.put(b.digest, b.data);
    const bad: Partial<Task>[] = [
      { files: [{ path: '../evil.c', digest: b.digest, mode: 0o644 }] },
      { files: [{ path: '/etc/evil.c', digest: b.digest, mode: 0o644 }] },
      { dirs: ['obj/../../up'] },
      { outputs: ['/tmp/out.o'] },
      { depfile: '../a.d' },
      { cwd: '/usr' },
      { cwd: 'src/../..' },
    ];
    for (const over of bad) {
      const dir = new ActionDir(work, lease, cas);
      await expect(dir.materialise(task(over)), JSON.stringify(over)).rejects.toMatchObject({ code: 'FE0807' });
      expect(existsSync(join(work, '..', 'evil.c'))).toBe(false);
      dir.remove();
    }
  });

  it('finds a symlink on the way to a path', () => {
    const root = scratch();
    mkdirSync(join(root, 'real'));
    symlinkSync('/etc', join(root, 'obj'));
    expect(() => assertNoSymlink(root, 'real/a.o', 'output')).not.toThrow();
    expect(() => assertNoSymlink(root, 'obj/a.o', 'output')).toThrow(expect.objectContaining({ code: 'FE0807' }));
  });

  it('after the run, an output that is a symlink, under a symlinked folder, or not a file is FE0807', async () => {
    const work = scratch();
    const cas = new CasStore(join(work, 'cas'));
    const t = task({ outputs: ['obj/a.o', 'b.o', 'c.o'], dirs: ['obj'] });
    const dir = new ActionDir(work, lease, cas);
    await dir.materialise(t);
    // What a hostile or buggy command could leave behind.
    symlinkSync('/etc/passwd', join(dir.path, 'b.o'));
    expect(() => dir.collect(task({ outputs: ['b.o'] }))).toThrow(expect.objectContaining({ code: 'FE0807' }));
    rmSync(join(dir.path, 'obj'), { recursive: true });
    symlinkSync('/etc', join(dir.path, 'obj'));
    expect(() => dir.collect(task({ outputs: ['obj/a.o'] }))).toThrow(expect.objectContaining({ code: 'FE0807', message: expect.stringMatching(/symlink/) }));
    mkdirSync(join(dir.path, 'c.o'));
    expect(() => dir.collect(task({ outputs: ['c.o'] }))).toThrow(expect.objectContaining({ code: 'FE0807', message: expect.stringMatching(/not a regular file/) }));
    symlinkSync('/etc/hostname', join(dir.path, 'x.d'));
    expect(() => dir.readDepfile(task({ depfile: 'x.d' }))).toThrow(expect.objectContaining({ code: 'FE0807' }));
    dir.remove();
    expect(existsSync(dir.path)).toBe(false);
    expect(existsSync('/etc/passwd')).toBe(true);
  });
});

describe('materialise', () => {
  it('copies inputs with their mode (no setuid), creates dirs, output parents and cwd; collects outputs', async () => {
    const work = scratch();
    const cas = new CasStore(join(work, 'cas'));
    const src = blob('int main(void) { return 0; }\n');
    const script = blob('#!/bin/sh\necho hi\n');
    cas.put(src.digest, src.data);
    cas.put(script.digest, script.data);
    const t = task({
      files: [{ path: 'src/main.c', digest: src.digest, mode: 0o644 }, { path: 'tools/gen.sh', digest: script.digest, mode: 0o4755 }],
      dirs: ['include/gen'], outputs: ['build/obj/main.o'], depfile: 'build/dep/main.d', cwd: 'src/sub',
    });
    const dir = new ActionDir(work, lease, cas);
    await dir.materialise(t);
    expect(dir.path).toBe(join(work, 'actions', 'L1-2'));
    expect(readFileSync(join(dir.path, 'src/main.c'), 'utf8')).toBe(src.data.toString());
    expect(statSync(join(dir.path, 'tools/gen.sh')).mode & 0o7777).toBe(0o755);
    expect(statSync(join(dir.path, 'src/main.c')).mode & 0o777).toBe(0o644);
    // A copy, not a link: editing the input must not touch the store.
    expect(statSync(join(dir.path, 'src/main.c')).ino).not.toBe(statSync(cas.path(src.digest)).ino);
    for (const d of ['include/gen', 'build/obj', 'build/dep', 'src/sub']) expect(statSync(join(dir.path, d)).isDirectory()).toBe(true);

    writeFileSync(join(dir.path, 'build/obj/main.o'), 'object');
    writeFileSync(join(dir.path, 'build/dep/main.d'), 'build/obj/main.o: src/main.c\n');
    const outs = dir.collect(t);
    expect(outs).toEqual([{ path: 'build/obj/main.o', digest: CasStore.digestOf(Buffer.from('object')), mode: expect.any(Number), size: 6 }]);
    expect(cas.get(outs[0]!.digest)?.toString()).toBe('object');
    expect(dir.readDepfile(t)).toBe('build/obj/main.o: src/main.c\n');
    expect(dir.collect(task({ outputs: ['never/written.o'] }))).toEqual([]);
    dir.remove();
    expect(existsSync(dir.path)).toBe(false);
  });

  it('puts the root token back for the action directory in depfile text, also in make\'s escaped spelling', async () => {
    const work = join(scratch(), 'a dir#1');
    const dir = new ActionDir(work, lease, new CasStore(join(work, 'cas')));
    await dir.materialise(task({ depfile: 'x.d' }));
    const escaped = dir.path.replace(/([ #])/g, '\\$1');
    writeFileSync(join(dir.path, 'x.d'), `x.o: ${escaped}/src/x.c \\\n ${dir.path}/inc/y.h /usr/include/stdio.h\n`);
    expect(dir.readDepfile(task({ depfile: 'x.d' }))).toBe(`x.o: ${ROOT_TOKEN}/src/x.c \\\n ${ROOT_TOKEN}/inc/y.h /usr/include/stdio.h\n`);
    dir.remove();
  });

  it('refuses one path listed twice with different contents', async () => {
    const work = scratch();
    const cas = new CasStore(join(work, 'cas'));
    const a = blob('a'), b = blob('b');
    cas.put(a.digest, a.data); cas.put(b.digest, b.data);
    const dir = new ActionDir(work, lease, cas);
    await expect(dir.materialise(task({ files: [{ path: 'x.c', digest: a.digest, mode: 0o644 }, { path: './x.c', digest: b.digest, mode: 0o644 }] }))).rejects.toMatchObject({ code: 'FE0807' });
    dir.remove();
  });
});

describe('blob fetch', () => {
  it('fetches missing inputs from the coordinator, refetching corrupt bytes and recording each', async () => {
    const good = blob('the real header\n');
    let served = 0;
    const { ep, log } = await casServer((method, path) => {
      if (method === 'GET' && path === `/cas/${good.digest}`) return { status: 200, body: ++served <= 2 ? 'flipped bits\n' : good.data };
      return { status: 404 };
    });
    const work = scratch();
    const cas = new CasStore(join(work, 'cas'));
    const dir = new ActionDir(work, lease, cas, ep);
    await dir.materialise(task({ files: [{ path: 'inc/h.h', digest: good.digest, mode: 0o644 }, { path: 'inc/same.h', digest: good.digest, mode: 0o644 }] }));
    expect(readFileSync(join(dir.path, 'inc/h.h'), 'utf8')).toBe('the real header\n');
    expect(dir.corrupt).toEqual([{ digest: good.digest, attempt: 1 }, { digest: good.digest, attempt: 2 }]);
    expect(log).toEqual(Array(3).fill(`GET /cas/${good.digest}`));
    expect(cas.has(good.digest)).toBe(true);
    dir.remove();

    // Now held locally: no second fetch.
    const again = new ActionDir(work, { id: 'L2', epoch: 0 }, cas, ep);
    await again.materialise(task({ files: [{ path: 'h.h', digest: good.digest, mode: 0o644 }] }));
    expect(log).toHaveLength(3);
    again.remove();
  });

  it('gives up with FE0808 after the refetches, keeping the record', async () => {
    const good = blob('never served right');
    const { ep } = await casServer(() => ({ status: 200, body: 'always wrong' }));
    const work = scratch();
    const dir = new ActionDir(work, lease, new CasStore(join(work, 'cas')), ep);
    await expect(dir.materialise(task({ files: [{ path: 'a.c', digest: good.digest, mode: 0o644 }] }))).rejects.toMatchObject({ code: 'FE0808' });
    expect(dir.corrupt.map((c) => c.attempt)).toEqual([1, 2, 3, 4]);
    dir.remove();
  });

  it('a blob the coordinator does not have is FE0801', async () => {
    const { ep } = await casServer(() => ({ status: 404 }));
    const work = scratch();
    const dir = new ActionDir(work, lease, new CasStore(join(work, 'cas')), ep);
    await expect(dir.materialise(task({ files: [{ path: 'a.c', digest: blob('zz').digest, mode: 0o644 }] }))).rejects.toMatchObject({ code: 'FE0801' });
    dir.remove();
  });
});

describe('uploadOutputs', () => {
  it('asks which blobs are missing and uploads only those', async () => {
    const a = blob('output a'), b = blob('output b');
    const stored = new Map<string, Buffer>([[a.digest, a.data]]);
    const { ep, log } = await casServer((method, path, body) => {
      if (method === 'POST' && path === '/cas/missing') {
        const { digests } = JSON.parse(body.toString()) as { digests: string[] };
        return { status: 200, body: JSON.stringify({ missing: digests.filter((d) => !stored.has(d)) }) };
      }
      if (method === 'PUT') {
        const d = path.slice('/cas/'.length);
        if (CasStore.digestOf(body) !== d) return { status: 400, body: JSON.stringify({ code: 'FE0808' }) };
        stored.set(d, body);
        return { status: 201 };
      }
      return { status: 404 };
    });
    const cas = new CasStore(join(scratch(), 'cas'));
    cas.put(a.digest, a.data); cas.put(b.digest, b.data);
    const n = await uploadOutputs(ep, cas, [{ path: 'a.o', digest: a.digest, mode: 0o644, size: 8 }, { path: 'b.o', digest: b.digest, mode: 0o644, size: 8 }]);
    expect(n).toBe(1);
    expect(log).toEqual(['POST /cas/missing', `PUT /cas/${b.digest}`]);
    expect(stored.get(b.digest)?.toString()).toBe('output b');
  });
});
