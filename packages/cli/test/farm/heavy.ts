import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '../../../../test/helpers.js';

/**
 * A generated project whose compiles take a noticeable time each (~0.5 s at -O2), so a farm
 * test can break things while actions run: `files` translation units in one library.
 */
export function heavyProject(files: number, functions = 100): ReturnType<typeof fixture> {
  const f = fixture('hello');
  const src = join(f.dir, 'heavy');
  mkdirSync(src, { recursive: true });
  const head = '#define R(x) x = x * 31 + (x >> 3) ^ 0x5bd1e995;\n#define R8(x) R(x) R(x) R(x) R(x) R(x) R(x) R(x) R(x)\n#define R64(x) R8(x) R8(x) R8(x) R8(x) R8(x) R8(x) R8(x) R8(x)\n';
  for (let i = 0; i < files; i++) {
    let body = head;
    for (let k = 0; k < functions; k++) body += `unsigned f${i}_${k}(unsigned x) { for (int j = 0; j < (int)x; j++) { R64(x) } return x; }\n`;
    writeFileSync(join(src, `h${i}.c`), body);
  }
  writeFileSync(join(f.dir, 'project.yaml'), [
    'name: heavy', 'out: build', 'targets: [host]', 'defaults:', '  cflags: [-O2]',
    'artifacts:', '  - name: heavy', '    kind: static-library', '    sources: ["heavy/*.c"]', '',
  ].join('\n'));
  return f;
}
