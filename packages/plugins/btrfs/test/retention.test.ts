import { describe, expect, it } from 'vitest';
import { planRetention, type SnapshotMeta } from '../src/index.js';

const H = 3_600_000;
const now = Date.parse('2026-03-10T18:00:00Z');
const snap = (name: string, ageH: number): SnapshotMeta => ({ v: 1, name, createdAt: now - ageH * H, reason: 'after', green: true, outRel: 'build', actions: {}, files: {} });

describe('retention policy', () => {
  const all = [snap('a', 0), snap('b', 1), snap('c', 2), snap('d', 24), snap('e', 25), snap('f', 72), snap('g', 24 * 30)];

  it('keeps the newest N plus the newest of each of the last D days with snapshots', () => {
    const p = planRetention(all, { keepLast: 2, keepDaily: 3 });
    expect(p.keep.map((k) => k.meta.name)).toEqual(['a', 'b', 'd', 'f']);
    expect(p.keep.find((k) => k.meta.name === 'a')!.why).toEqual(['last 1/2', 'daily 2026-03-10']);
    expect(p.remove.map((m) => m.name)).toEqual(['c', 'e', 'g']);
  });

  it('counts days that have snapshots, so a quiet month does not empty the daily slots', () => {
    const p = planRetention(all, { keepLast: 1, keepDaily: 4 });
    expect(p.keep.map((k) => k.meta.name)).toEqual(['a', 'd', 'f', 'g']);
  });

  it('keepDaily 0 keeps exactly the newest N', () => {
    expect(planRetention(all, { keepLast: 3, keepDaily: 0 }).keep.map((k) => k.meta.name)).toEqual(['a', 'b', 'c']);
  });
});
