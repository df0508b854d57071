import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDirSync } from '../src/index.js';

describe('makeDirSync', () => {
  const dirs: string[] = [];
  const scratch = () => { const d = mkdtempSync(join(tmpdir(), 'fester-mkdir-')); dirs.push(d); return d; };
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

  it('makes every missing level, and is a no-op when the folder exists', () => {
    const d = join(scratch(), 'a', 'b', 'c');
    makeDirSync(d);
    expect(statSync(d).isDirectory()).toBe(true);
    expect(() => makeDirSync(d)).not.toThrow();
  });

  it('throws at once where Node 20’s recursive mkdir spins (procfs) and under a file', () => {
    expect(() => makeDirSync('/proc/fester-test/x')).toThrow(/ENOENT/);
    const file = join(scratch(), 'f');
    writeFileSync(file, '');
    expect(() => makeDirSync(join(file, 'sub'))).toThrow(/ENOTDIR/);
  });
});
