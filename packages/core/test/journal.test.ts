import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal } from '../src/journal/Journal.js';
import { readJournal } from '../src/journal/readJournal.js';

const dir = mkdtempSync(join(tmpdir(), 'fester-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('journal', () => {
  it('numbers events and writes one JSON line each', () => {
    const j = new Journal(join(dir, 's1.jsonl'), 's1');
    j.append({ type: 'action.uptodate', action: 'a', key: 'k1' }, 'b1');
    j.append({ type: 'action.uptodate', action: 'b', key: 'k2' }, 'b1', [1]);
    j.close();
    const lines = readFileSync(join(dir, 's1.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.seq)).toEqual([1, 2]);
    expect(lines[1]).toMatchObject({ session: 's1', build: 'b1', causes: [1], action: 'b' });
  });
  it('tolerates a torn last line and keeps everything before it', () => {
    const p = join(dir, 's2.jsonl');
    const j = new Journal(p, 's2');
    for (let i = 0; i < 3; i++) j.append({ type: 'action.uptodate', action: `a${i}`, key: 'k' });
    j.close();
    appendFileSync(p, '{"seq":4,"ts":1,"type":"action.upto');
    const r = readJournal(p);
    expect(r.torn).toBe(true);
    expect(r.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(r.badLines).toEqual([]);
  });
});
