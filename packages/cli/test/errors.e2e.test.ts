import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fester, fixture, lastJournal } from '../../../test/helpers.js';

const EXE = 'name: x\nartifacts:\n  - name: app\n    kind: executable\n    sources: ["src/main.c"]\n';

interface Case {
  name: string;
  yaml?: string;
  config?: string;
  code: string;
  where?: RegExp;
  text: RegExp;
  exit: number;
  env?: Record<string, string>;
}

const cases: Case[] = [
  { name: 'malformed yaml', yaml: 'name: x\nartifacts:\n  - name: a\n    kind: executable\n   sources: [src/main.c]\n', code: 'FE0101', where: /project\.yaml:5:\d+/, text: /malformed YAML/, exit: 2 },
  { name: 'unknown key with did-you-mean', yaml: 'name: x\nartifacts:\n  - name: a\n    kind: executable\n    sourcess: ["src/*.c"]\n', code: 'FE0102', where: /project\.yaml:5:5/, text: /unknown key "sourcess"[\s\S]*did you mean "sources"/, exit: 2 },
  { name: 'unknown top-level key', yaml: 'name: x\ntarget: [host]\n', code: 'FE0102', where: /project\.yaml:2:1/, text: /did you mean "targets"/, exit: 2 },
  { name: 'a glob that matches nothing', yaml: 'name: x\nartifacts:\n  - name: a\n    kind: executable\n    sources: ["lib/**/*.c"]\n', code: 'FE0104', where: /project\.yaml:5:15/, text: /"lib\/\*\*\/\*\.c" in artifact "a" matches no file/, exit: 2 },
  { name: 'unknown artifact in link', yaml: 'name: x\nartifacts:\n  - name: core\n    kind: static-library\n    sources: [src/lib.c]\n  - name: a\n    kind: executable\n    sources: [src/main.c]\n    link: [cor]\n', code: 'FE0105', where: /project\.yaml:9:12/, text: /links "cor"[\s\S]*did you mean "core"/, exit: 2 },
  { name: 'a link cycle', yaml: 'name: x\nartifacts:\n  - name: p\n    kind: static-library\n    sources: [src/lib.c]\n    link: [q]\n  - name: q\n    kind: static-library\n    sources: [src/lib.c]\n    link: [p]\n', code: 'FE0106', where: /project\.yaml:\d+:\d+/, text: /link cycle: p → q → p/, exit: 2 },
  { name: 'an action dependency cycle', yaml: 'name: x\nactions:\n  - id: one\n    run: [sh, -c, "cat two > one"]\n    inputs: ["{out}/two"]\n    outputs: [one]\n  - id: two\n    run: [sh, -c, "cat one > two"]\n    inputs: ["{out}/one"]\n    outputs: [two]\n', code: 'FE0106', where: /project\.yaml:3:5/, text: /dependency cycle: host\/one → host\/two → host\/one/, exit: 2 },
  { name: 'an output escaping the out dir', yaml: 'name: x\nactions:\n  - id: evil\n    run: [touch, ../../evil]\n    outputs: [../../evil]\n', code: 'FE0107', where: /project\.yaml:5:15/, text: /escapes the out dir/, exit: 2 },
  { name: 'an unknown target', yaml: 'name: x\ntargets: [host, arm64]\n', code: 'FE0110', where: /project\.yaml:2:17/, text: /unknown target "arm64"[\s\S]*known targets: host/, exit: 2 },
  { name: 'a value of the wrong type (not reported as missing)', yaml: 'name: x\ndefaults:\n  cflags: -O2\n', code: 'FE0103', where: /project\.yaml:3:11/, text: /invalid value at defaults\.cflags/, exit: 2 },
  { name: 'an unknown target in overrides lists the targets', yaml: 'name: x\noverrides:\n  arm64: { cflags: [-O1] }\n', code: 'FE0102', where: /project\.yaml:3:3/, text: /unknown key "arm64"[\s\S]*aarch64-linux-gnu/, exit: 2 },
  { name: 'two raw actions with one id point at the second', yaml: 'name: x\nactions:\n  - id: gen\n    run: [touch, a]\n    outputs: [a]\n  - id: gen\n    run: [touch, b]\n    outputs: [b]\n', code: 'FE0108', where: /project\.yaml:\d+:\d+/, text: /two actions have the id "host\/gen"/, exit: 2 },
  { name: 'a missing required key', yaml: 'artifacts: []\n', code: 'FE0103', where: /project\.yaml:1:1/, text: /missing required key "name"/, exit: 2 },
  { name: 'a missing compiler', yaml: EXE, code: 'FE0301', where: /project\.yaml/, text: /gcc not found in \/nonexistent[\s\S]*apt-get install gcc/, exit: 3, env: { FESTER_TOOLCHAIN_PATH: '/nonexistent' } },
  { name: 'festerconfig.ts with a syntax error', yaml: EXE, config: "import { defineConfig } from '@fester/core';\nexport default defineConfig({\n  jobs: 2,\n  plugins: [,,\n});\n", code: 'FE0201', where: /festerconfig\.ts:5:1/, text: /syntax error/, exit: 2 },
  { name: 'festerconfig.ts with an unknown option', yaml: EXE, config: "import { defineConfig } from '@fester/core';\nexport default defineConfig({\n  jobs: 2,\n  cachedir: '/tmp/x',\n});\n", code: 'FE0202', where: /festerconfig\.ts:4:3/, text: /unknown option "cachedir"[\s\S]*did you mean "cacheDir"/, exit: 2 },
  { name: 'festerconfig.ts with an invalid value', yaml: EXE, config: "export default {\n  jobs: 'many',\n};\n", code: 'FE0202', where: /festerconfig\.ts:2:3/, text: /invalid option "jobs"/, exit: 2 },
  { name: 'festerconfig.ts keeping no journals', yaml: EXE, config: "export default {\n  jobs: 2,\n  journal: { keep: 0 },\n};\n", code: 'FE0202', where: /festerconfig\.ts:3:3/, text: /invalid option "journal\.keep"[\s\S]*at least 1 session journal, or "all"/, exit: 2 },
  { name: 'a plugin factory that was not called', yaml: EXE, config: "const p = () => ({ name: 'p', apply() {} });\nexport default {\n  plugins: [p],\n};\n", code: 'FE0203', where: /festerconfig\.ts:3:3/, text: /not a plugin[\s\S]*forget to call/, exit: 2 },
  { name: 'a plugin throwing in a hook', yaml: EXE, config: "export default {\n  plugins: [{ name: 'boom', apply(c) { c.hooks.build.tap('boom', (b) => b.hooks.afterResolve.tap('boom', () => { throw new Error('kaboom'); })); } }],\n};\n", code: 'FE0601', text: /plugin "boom" failed in hook "afterResolve": kaboom/, exit: 4 },
  { name: 'a plugin throwing in apply()', yaml: EXE, config: "export default {\n  plugins: [{ name: 'early', apply() { throw new Error('no license'); } }],\n};\n", code: 'FE0601', text: /plugin "early" failed in hook "apply": no license/, exit: 4 },
  { name: 'a project file that does not exist', code: 'FE0003', text: /project file not found/, exit: 2 },
];

describe('bad input: a coded error with file:line:col and a hint, non-zero exit, no stack trace', () => {
  const fx = fixture('bad-inputs');
  afterAll(() => fx.cleanup());

  for (const c of cases) {
    it(c.name, async () => {
      rmSync(join(fx.dir, 'project.yaml'), { force: true });
      rmSync(join(fx.dir, 'festerconfig.ts'), { force: true });
      if (c.yaml) writeFileSync(join(fx.dir, 'project.yaml'), c.yaml);
      if (c.config) writeFileSync(join(fx.dir, 'festerconfig.ts'), c.config);
      const r = await fester(['build'], { cwd: fx.dir, cache: fx.cache, env: c.env });
      expect(r.exitCode).toBe(c.exit);
      expect(r.stderr).toMatch(new RegExp(`^error ${c.code}`, 'm'));
      if (c.where) expect(r.stderr).toMatch(new RegExp(`error ${c.code} ${c.where.source}`));
      expect(r.stderr).toMatch(c.text);
      expect(r.stderr).toMatch(/hint: /);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      // Nothing was built or half-written for an input that was refused up front.
      expect(existsSync(join(fx.dir, 'build'))).toBe(false);
      // …and the journal says how the build ended, when it got far enough to open one.
      if (c.yaml && !c.config) {
        const evs = await lastJournal(fx.dir);
        expect(evs.at(-1)).toMatchObject({ type: 'build.finished', status: 'failed', error: { code: c.code } });
      }
    });
  }

  it('a failing compile shows the compiler stderr with the action id, exit 1, nothing stored', async () => {
    rmSync(join(fx.dir, 'festerconfig.ts'), { force: true });
    writeFileSync(join(fx.dir, 'src/bad.c'), 'int main(void) { return nope; }\n');
    writeFileSync(join(fx.dir, 'project.yaml'), 'name: x\nartifacts:\n  - name: bad\n    kind: executable\n    sources: [src/bad.c]\n');
    const r = await fester(['build'], { cwd: fx.dir, cache: fx.cache });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('FAILED host/obj/bad/src/bad.c.o');
    expect(r.stderr).toMatch(/src\/bad\.c:1:\d+: error: 'nope' undeclared/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(join(fx.dir, 'build/host/obj/bad/src/bad.c.o'))).toBe(false);
    expect(existsSync(join(fx.dir, 'build/host/bad'))).toBe(false);
    // Fix the source: it must compile for real, proving the failure left no cache entry behind.
    writeFileSync(join(fx.dir, 'src/bad.c'), 'int main(void) { return 0; }\n');
    const again = await fester(['build', '--json'], { cwd: fx.dir, cache: fx.cache });
    expect(again.exitCode).toBe(0);
    const types = again.stdout.trim().split('\n').map((l) => JSON.parse(l).type);
    expect(types.filter((t) => t === 'action.started')).toHaveLength(2);
    rmSync(join(fx.dir, 'src/bad.c'));
    rmSync(join(fx.dir, 'build'), { recursive: true, force: true });
  });
});
