import { describe, expect, it } from 'vitest';
import { parseDepfile } from '../src/exec/depfile.js';

describe('parseDepfile', () => {
  it('reads continued lines, escaped spaces and makes paths root-relative', () => {
    const text = 'build/a.o: src/a.c include/x.h \\\n  /root/proj/include/y.h \\\n  dir/with\\ space.h /usr/include/stdio.h\n';
    expect(parseDepfile(text, '/root/proj')).toEqual(['src/a.c', 'include/x.h', 'include/y.h', 'dir/with space.h', '/usr/include/stdio.h']);
  });
  it('ignores phony targets gcc -MP adds and dedupes', () => {
    expect(parseDepfile('a.o: a.c b.h\nb.h:\n', '/r')).toEqual(['a.c', 'b.h']);
  });
  it('normalises ./ and $$', () => {
    expect(parseDepfile('a.o: ./x/../y.h cost$$.h\n', '/r')).toEqual(['y.h', 'cost$.h']);
  });
});
