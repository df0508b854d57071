import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIG_FILE, closeHashPool } from '../src/fingerprint/hash.js';
import { FileDigests } from '../src/fingerprint/FileDigests.js';

const dir = mkdtempSync(join(tmpdir(), 'fester-fp-'));
afterAll(async () => { await closeHashPool(); rmSync(dir, { recursive: true, force: true }); });
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('FileDigests', () => {
  it('hashes a big file in a piscina worker and gets the same digest', async () => {
    const big = randomBytes(BIG_FILE + 12345);
    writeFileSync(join(dir, 'big.bin'), big);
    const d = new FileDigests(dir, {}, 0);
    expect(await d.digest('big.bin')).toBe(sha(big));
  });

  it('trusts a recorded stat without reading the file, and notices a changed one', async () => {
    writeFileSync(join(dir, 'a.c'), 'int a;\n');
    utimesSync(join(dir, 'a.c'), new Date(2020, 1, 1), new Date(2020, 1, 1));
    const first = new FileDigests(dir, {}, 0);
    const digest = await first.digest('a.c');
    const saved = first.records();
    // A lie in the record proves the second build did not re-read the file.
    saved['a.c'] = [saved['a.c']![0], saved['a.c']![1], saved['a.c']![2], 'recorded-digest'];
    const second = new FileDigests(dir, saved, Date.now());
    expect(second.cached('a.c')).toBe('recorded-digest');
    writeFileSync(join(dir, 'a.c'), 'int b;\n');
    const third = new FileDigests(dir, saved, Date.now());
    expect(third.cached('a.c')).toBeUndefined();
    expect(await third.digest('a.c')).toBe(sha(Buffer.from('int b;\n')));
    expect(digest).toBe(sha(Buffer.from('int a;\n')));
  });

  it('does not trust a file modified just before the state was saved (racy timestamps)', async () => {
    writeFileSync(join(dir, 'r.c'), 'int r;\n');
    const first = new FileDigests(dir, {}, 0);
    await first.digest('r.c');
    const mtime = statSync(join(dir, 'r.c')).mtimeMs;
    const racy = new FileDigests(dir, first.records(), mtime + 5);
    expect(racy.cached('r.c')).toBeUndefined();
  });

  it('reports a missing file as undefined', async () => {
    expect(await new FileDigests(dir, {}, 0).digest('nope.c')).toBeUndefined();
  });
});

describe('FileDigests.dirty', () => {
  it('stays clean when a racy file is re-hashed and found unchanged, and turns dirty on a change', async () => {
    writeFileSync(join(dir, 'd.c'), 'int d;\n');
    const first = new FileDigests(dir, {}, 0);
    await first.digest('d.c');
    expect(first.dirty).toBe(true);
    const mtime = statSync(join(dir, 'd.c')).mtimeMs;
    const racy = new FileDigests(dir, first.records(), mtime + 5);
    expect(racy.cached('d.c')).toBeUndefined();
    await racy.digest('d.c');
    expect(racy.dirty).toBe(false);
    writeFileSync(join(dir, 'd.c'), 'int e;\n');
    const changed = new FileDigests(dir, first.records(), 0);
    await changed.digest('d.c');
    expect(changed.dirty).toBe(true);
  });
});
