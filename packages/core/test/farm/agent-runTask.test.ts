import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CasStore } from '../../src/cas/CasStore.js';
import { ROOT_TOKEN, type Task } from '../../src/farm/protocol.js';
import { checkToolchain, probeSandbox, runTask, Slots, taskCommand } from '../../src/farm/agent/runTask.js';
import { verifyToolchains } from '../../src/farm/agent/toolchains.js';
import { ActionDir } from '../../src/farm/agent/workspace.js';
import { baseEnv } from '../../src/toolchain/baseEnv.js';
import { which } from '../../src/toolchain/which.js';

const HELLO_C = '#include "greet.h"\n#include <stdio.h>\nint main(void) { printf("%s\\n", GREETING); return 0; }\n';
const GREET_H = '#define GREETING "hello from " __FILE__\n';

let base: string;
let hostDigest: string;
let bwrap: string | undefined;
beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'fester-agent-run-'));
  const v = await verifyToolchains({ workDir: join(base, 'agent'), targets: ['host'] });
  hostDigest = v.toolchains.host!;
  bwrap = (await probeSandbox(join(base, 'agent'))).bwrap;
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

function task(over: Partial<Task>): Task {
  return { action: 'a', kind: 'custom', target: 'host', toolchain: '', argv: ['true'], env: baseEnv(), cwd: '', files: [], dirs: [], outputs: [], project: 'p', ...over };
}

/** The compile as a build client would send it: every absolute path behind the root token. */
function compileTask(files: Task['files']): Task {
  return task({
    kind: 'compile', toolchain: hostDigest, files, dirs: ['obj'], outputs: ['obj/hello.o'], depfile: 'obj/hello.d',
    argv: ['gcc', '-g', '-O1', `-ffile-prefix-map=${ROOT_TOKEN}=.`, '-I', `${ROOT_TOKEN}/include`, '-c', `${ROOT_TOKEN}/src/hello.c`, '-o', 'obj/hello.o', '-MD', '-MF', 'obj/hello.d'],
  });
}

async function materialised(over: Partial<Task> = {}, id = 'L') {
  const cas = new CasStore(join(base, 'agent', 'cas'));
  const files: Task['files'] = [];
  for (const [path, text] of [['src/hello.c', HELLO_C], ['include/greet.h', GREET_H]] as const) {
    const d = CasStore.digestOf(Buffer.from(text));
    cas.put(d, Buffer.from(text));
    files.push({ path, digest: d, mode: 0o644 });
  }
  const t = { ...compileTask(files), ...over };
  const dir = new ActionDir(join(base, 'agent'), { id, epoch: 1 }, cas);
  await dir.materialise(t);
  return { t, dir, cas };
}

/** The same compile run in place, in an ordinary project folder. */
async function compileInPlace(): Promise<Buffer> {
  const proj = join(base, 'project-in-place');
  mkdirSync(join(proj, 'src'), { recursive: true });
  mkdirSync(join(proj, 'include'), { recursive: true });
  mkdirSync(join(proj, 'obj'), { recursive: true });
  writeFileSync(join(proj, 'src/hello.c'), HELLO_C);
  writeFileSync(join(proj, 'include/greet.h'), GREET_H);
  const argv = compileTask([]).argv.map((a) => a.split(ROOT_TOKEN).join(proj));
  await execa(argv[0]!, argv.slice(1), { cwd: proj, env: baseEnv(), extendEnv: false });
  return readFileSync(join(proj, 'obj/hello.o'));
}

describe('runTask', () => {
  it('compiles in the action dir with outputs byte-identical to an in-place compile, and the depfile relative', async () => {
    const expected = await compileInPlace();
    const { t, dir, cas } = await materialised({}, 'plain');
    const r = await runTask(t, dir.path, new AbortController().signal);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const [out] = dir.collect(t);
    expect(cas.get(out!.digest)!.equals(expected)).toBe(true);
    expect(readFileSync(join(dir.path, 'obj/hello.o')).equals(expected)).toBe(true);
    // Rooted at the token, not where this agent happened to run it: the client puts its root there.
    const dep = dir.readDepfile(t)!;
    expect(dep.replace(/\\\n/g, ' ').replace(/\s+/g, ' ')).toContain(`obj/hello.o: ${ROOT_TOKEN}/src/hello.c `);
    expect(dep).toContain(` ${ROOT_TOKEN}/include/greet.h`);
    expect(dep).not.toContain(dir.path);
    dir.remove();
  });

  it.runIf(which('bwrap', '/usr/bin:/bin'))('bwrap works here and sandboxed output is identical too', async () => {
    expect(bwrap).toBeDefined();
    const expected = await compileInPlace();
    const { t, dir } = await materialised({}, 'sandboxed');
    const cmd = taskCommand(t, dir.path, { bwrap });
    expect(cmd.argv.slice(0, 2)).toEqual([bwrap, '--die-with-parent']);
    expect(cmd.argv).toContain('--unshare-net');
    const r = await runTask(t, dir.path, new AbortController().signal, { bwrap });
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(dir.path, 'obj/hello.o')).equals(expected)).toBe(true);
    dir.remove();
  });

  it.runIf(which('bwrap', '/usr/bin:/bin'))('the sandbox is read-only outside the action dir, has a private /tmp and no network', async () => {
    const dir = new ActionDir(join(base, 'agent'), { id: 'jail', epoch: 0 }, new CasStore(join(base, 'agent', 'cas')));
    const marker = join(tmpdir(), `fester-sandbox-leak-${process.pid}`);
    const hostFile = join(tmpdir(), `fester-sandbox-host-${process.pid}`);
    writeFileSync(hostFile, 'host');
    const script = `touch /etc/fester-escape 2>/dev/null && echo escaped || echo ro; touch ${marker}; [ -e ${hostFile} ] && echo shared-tmp || echo private-tmp; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; echo inside > here.txt`;
    const t = task({ argv: ['/bin/sh', '-c', script], outputs: ['here.txt'] });
    await dir.materialise(t);
    const r = await runTask(t, dir.path, new AbortController().signal, { bwrap });
    expect(r.exitCode).toBe(0);
    rmSync(hostFile);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(['ro', 'private-tmp', 'lo']);
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(join(dir.path, 'here.txt'), 'utf8')).toBe('inside\n');
    dir.remove();
  });

  it('a bwrap that cannot start is disabled at start-up with a warning', async () => {
    const fake = join(base, 'broken-bwrap');
    writeFileSync(fake, '#!/bin/sh\necho "bwrap: Creating new namespace failed: Operation not permitted" >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    const r = await probeSandbox(join(base, 'agent'), fake);
    expect(r.bwrap).toBeUndefined();
    expect(r.warning).toMatch(/does not work here \(bwrap: Creating new namespace failed/);
    expect((await probeSandbox(join(base, 'agent'), join(base, 'no-such-bwrap'))).bwrap).toBeUndefined();
  });

  it('applies the production limits: nice and prlimit --as wrap the command', async () => {
    const niceOf = async (limits: { nice?: number; memoryBytes?: number }) => {
      const r = await runTask(task({ argv: ['sh', '-c', 'nice; ulimit -v'] }), base, new AbortController().signal, { limits });
      expect(r.exitCode).toBe(0);
      const [n, v] = r.stdout.trim().split('\n');
      return { nice: Number(n), vmem: v };
    };
    const plain = await niceOf({});
    const limited = await niceOf({ nice: 7, memoryBytes: 2 * 1024 ** 3 });
    expect(limited.nice).toBe(Math.min(19, plain.nice + 7));
    expect(limited.vmem).toBe(String(2 * 1024 * 1024));
    expect(taskCommand(task({ argv: ['cc'] }), base, { limits: { nice: 5, memoryBytes: 1024 } }).argv).toEqual([expect.stringMatching(/prlimit$/), '--as=1024', '--', expect.stringMatching(/nice$/), '-n', '5', 'cc']);
  });

  it('replaces the root token in argv and env, runs in the task cwd and uses its own TMPDIR', () => {
    const cmd = taskCommand(task({ argv: ['cc', `-I${ROOT_TOKEN}/inc`], env: { A: `x:${ROOT_TOKEN}/bin:${ROOT_TOKEN}`, TMPDIR: '/home/someone/tmp' }, cwd: 'sub/dir' }), '/w/actions/L-1', {}, '/var/tmp');
    expect(cmd).toEqual({ argv: ['cc', '-I/w/actions/L-1/inc'], env: { A: 'x:/w/actions/L-1/bin:/w/actions/L-1', TMPDIR: '/var/tmp' }, cwd: '/w/actions/L-1/sub/dir' });
  });

  it('is aborted by its signal (revoke), with and without the sandbox', async () => {
    for (const sandbox of [undefined, bwrap]) {
      const ctl = new AbortController();
      const started = performance.now();
      const run = runTask(task({ argv: ['sh', '-c', 'sleep 30; echo late'] }), base, ctl.signal, { bwrap: sandbox });
      setTimeout(() => ctl.abort(), 300);
      const r = await run;
      expect(r.exitCode).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(performance.now() - started).toBeLessThan(5000);
    }
  });
});

describe('checkToolchain', () => {
  it('runs only toolchains this node verified for the target; raw actions need none', () => {
    const verified = { host: 'a'.repeat(64) };
    expect(checkToolchain(task({ toolchain: 'a'.repeat(64) }), verified)).toBeUndefined();
    expect(checkToolchain(task({ toolchain: '' }), verified)).toBeUndefined();
    expect(checkToolchain(task({ toolchain: 'b'.repeat(64) }), verified)).toMatchObject({ code: 'FE0811', message: expect.stringMatching(/this node has aaaaaaaaaaaa/) });
    expect(checkToolchain(task({ target: 'arm-none-eabi', toolchain: 'a'.repeat(64) }), verified)).toMatchObject({ code: 'FE0811', message: expect.stringMatching(/verified none/) });
  });
});

describe('Slots', () => {
  it('runs at most `size` at once; the rest wait in order; an aborted waiter leaves the queue', async () => {
    const slots = new Slots(2);
    const r1 = await slots.acquire();
    const r2 = await slots.acquire();
    const order: string[] = [];
    const ctl = new AbortController();
    const w3 = slots.acquire(ctl.signal).then(() => order.push('3'), () => order.push('3 aborted'));
    const w4 = slots.acquire().then((r) => { order.push('4'); return r; });
    expect(slots.running).toBe(2);
    expect(slots.queued).toBe(2);
    ctl.abort(new Error('revoked'));
    await w3;
    r1();
    r1(); // releasing twice frees one slot only
    const r4 = await w4;
    expect(order).toEqual(['3 aborted', '4']);
    expect(slots.running).toBe(2);
    r2(); r4();
    expect(slots.running).toBe(0);
    expect(() => new Slots(0)).toThrow(RangeError);
  });
});
