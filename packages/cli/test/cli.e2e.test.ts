import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, fester, fixture } from '../../../test/helpers.js';

describe('the fester command', () => {
  const fx = fixture('hello');
  afterAll(() => fx.cleanup());
  const run = (args: string[]) => fester(args, { cwd: fx.dir, cache: fx.cache });

  it('--version prints the package version', async () => {
    const r = await run(['--version']);
    expect(r.exitCode).toBe(0);
    const { version } = JSON.parse(readFileSync(join(BIN, '../../package.json'), 'utf8'));
    expect(r.stdout.trim()).toBe(version);
  });

  it('--help lists the commands', async () => {
    const r = await run(['--help']);
    expect(r.exitCode).toBe(0);
    for (const c of ['fester build', 'fester clean', 'fester explain']) expect(r.stdout).toContain(c);
  });

  it('--json prints one JSON event per line and a final result', async () => {
    const r = await run(['build', '--json']);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.slice(0, 2).map((l) => l.type)).toEqual(['session.started', 'build.started']);
    expect(lines.some((l) => l.type === 'graph.resolved' && l.actions === 8)).toBe(true);
    expect(lines.at(-1)).toMatchObject({ type: 'result', status: 'success', counts: { total: 8 } });
    const seqs = lines.filter((l) => l.seq).map((l) => l.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('--target with an unknown target lists the known ones', async () => {
    const r = await run(['build', '--target', 'arm64-linux']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error FE0110: unknown target "arm64-linux"[\s\S]*known targets: host, x86_64-linux-gnu/m);
  });

  it('-j must be a positive integer', async () => {
    const r = await run(['build', '-j', '0']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/jobs|-j/);
  });

  it('explain on an unknown action says so with a code', async () => {
    const r = await run(['explain', 'nope.o']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error FE0111: no action "nope.o"/m);
  });

  it('clean removes the out dir and keeps the cache', async () => {
    const r = await run(['clean']);
    expect(r.exitCode).toBe(0);
    expect(existsSync(join(fx.dir, 'build'))).toBe(false);
    expect(existsSync(join(fx.cache, 'local'))).toBe(true);
  });

  it('on a TTY the Ink dashboard draws progress and the summary', async () => {
    // `script` gives the child a real pseudo-terminal, as a user's shell would.
    const r = await execa('script', ['-qec', `stty cols 100 rows 40; ${process.execPath} ${BIN} build`, '/dev/null'], {
      cwd: fx.dir, reject: false, env: { FESTER_CACHE_DIR: fx.cache, TERM: 'xterm-256color', CI: '', COLUMNS: '100' },
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/█/);
    expect(r.stdout).toMatch(/hit ratio \d+%/);
    expect(r.stdout).toContain('built: 8 actions');
  });
});

describe('big inputs and --config', () => {
  const fx = fixture('bad-inputs');
  afterAll(() => fx.cleanup());

  it('a big input is fingerprinted in a worker thread and its output cached by digest', async () => {
    const { randomBytes } = await import('node:crypto');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(fx.dir, 'big.bin'), randomBytes(6 * 1024 * 1024));
    writeFileSync(join(fx.dir, 'project.yaml'), 'name: big\nactions:\n  - id: copy\n    run: [cp, "{root}/big.bin", big.out]\n    inputs: [big.bin]\n    outputs: [big.out]\n');
    expect((await fester(['build'], { cwd: fx.dir, cache: fx.cache })).exitCode).toBe(0);
    expect(readFileSync(join(fx.dir, 'build/host/big.out')).equals(readFileSync(join(fx.dir, 'big.bin')))).toBe(true);
    writeFileSync(join(fx.dir, 'big.bin'), randomBytes(6 * 1024 * 1024));
    const r = await fester(['build', '--json'], { cwd: fx.dir, cache: fx.cache });
    const miss = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.type === 'cache.miss');
    expect(miss).toMatchObject({ reason: 'inputs-changed', changed: [{ path: 'big.bin' }] });
  });

  it('--config loads a config from an explicit path', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(fx.dir, 'other.config.mjs'), "export default { jobs: 'x' };\n");
    const r = await fester(['build', '--config', 'other.config.mjs'], { cwd: fx.dir, cache: fx.cache });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error FE0202 other\.config\.mjs:1:\d+: invalid option "jobs"/m);
    const missing = await fester(['build', '--config', 'nope.ts'], { cwd: fx.dir, cache: fx.cache });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/^error FE0003: config file not found: nope.ts/m);
  });
});

describe('edge cases found in review', () => {
  const fx = fixture('bad-inputs');
  afterAll(() => fx.cleanup());
  const run = (args: string[]) => fester(args, { cwd: fx.dir, cache: fx.cache });

  it('a mistyped command is a usage error: exit 2', async () => {
    const r = await run(['biuld']);
    expect(r.exitCode).toBe(2);
  });

  it('a static library linked into a shared library is compiled position-independent', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(fx.dir, 'project.yaml'), [
      'name: pic', 'artifacts:',
      '  - name: base', '    kind: static-library', '    sources: [src/lib.c]',
      '  - name: wrap', '    kind: shared-library', '    sources: [src/lib.c]', '    link: [base]',
      '  - name: app', '    kind: executable', '    sources: [src/main.c]', '    link: [wrap]', '',
    ].join('\n'));
    const r = await run(['build', '--target', 'host', '--target', 'host']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect((await execa(join(fx.dir, 'build/host/app'))).exitCode).toBe(0);
  });

  it('a missing input fails its action with an event that explain can show', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(fx.dir, 'project.yaml'), 'name: missing\nactions:\n  - id: needs\n    run: [cp, "{root}/absent.txt", out.txt]\n    inputs: [absent.txt]\n    outputs: [out.txt]\n');
    const r = await run(['build']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error FE0403: 1 action failed, first host\/needs/m);
    expect(r.stderr.match(/FAILED host\/needs/g)).toHaveLength(1);
    const x = await run(['explain', 'needs', '--json']);
    expect(JSON.parse(x.stdout)).toMatchObject({ outcome: 'failed' });
  });
});

describe('an out dir that is a symlink', () => {
  const fx = fixture('hello');
  afterAll(() => fx.cleanup());

  it('raw actions still find the root through {root}', async () => {
    const { mkdirSync, symlinkSync } = await import('node:fs');
    const elsewhere = join(fx.base, 'elsewhere', 'deeper', 'out');
    mkdirSync(elsewhere, { recursive: true });
    symlinkSync(elsewhere, join(fx.dir, 'build'));
    const r = await fester(['build'], { cwd: fx.dir, cache: fx.cache });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect((await execa(join(fx.dir, 'build/host/hello'))).stdout).toBe('hello, world (v1.2.3)');
  });
});
