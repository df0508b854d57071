import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fester, fixture, lastJournal } from '../../../test/helpers.js';

describe('a third-party plugin installed from its own package via a file: dependency', () => {
  const fx = fixture('with-plugin', ['plugins']);
  afterAll(() => fx.cleanup());

  beforeAll(async () => {
    // Exactly what a user does: npm install the plugin package next to festerconfig.ts.
    const r = await execa('npm', ['install', '--no-package-lock', '--legacy-peer-deps', '--no-audit', '--no-fund', '--offline'], { cwd: fx.dir, reject: false });
    expect(r.exitCode).toBe(0);
  });

  it('taps hooks and changes the build observably', async () => {
    const r = await fester(['build'], { cwd: fx.dir, cache: fx.cache });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect((await execa(join(fx.dir, 'build/host/greeter'))).stdout).toBe('hello from a plugin');
    const evs = await lastJournal(fx.dir);
    expect(evs.find((e) => e.type === 'plugin.event')).toMatchObject({ plugin: 'fester-plugin-example', name: 'stamped', data: { compiles: 1 } });
  });

  it('a changed plugin option changes the action key and the output', async () => {
    writeFileSync(join(fx.dir, 'festerconfig.ts'), "import { defineConfig } from '@fester/core';\nimport example from 'fester-plugin-example';\nexport default defineConfig({ plugins: [example({ greeting: 'second' })] });\n");
    const r = await fester(['build'], { cwd: fx.dir, cache: fx.cache });
    expect(r.exitCode).toBe(0);
    expect((await execa(join(fx.dir, 'build/host/greeter'))).stdout).toBe('second');
    const miss = (await lastJournal(fx.dir)).find((e) => e.type === 'cache.miss');
    expect(miss).toMatchObject({ reason: 'command-changed' });
  });

  it('an invalid plugin option names the plugin, the option and the config line', async () => {
    writeFileSync(join(fx.dir, 'festerconfig.ts'), "import example from 'fester-plugin-example';\nexport default {\n  plugins: [example({\n    greting: 'typo',\n  })],\n};\n");
    const r = await fester(['build'], { cwd: fx.dir, cache: fx.cache });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error FE0204 festerconfig\.ts:4:5: plugin "fester-plugin-example": unknown option "greting"/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('a plugin that throws is reported with plugin and hook, no stack trace', async () => {
    writeFileSync(join(fx.dir, 'festerconfig.ts'), "import example from 'fester-plugin-example';\nexport default { plugins: [example({ greeting: 'x', failIn: 'afterResolve' })] };\n");
    const r = await fester(['build'], { cwd: fx.dir, cache: fx.cache });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/^error FE0601: plugin "fester-plugin-example" failed in hook "afterResolve": example failure requested/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
