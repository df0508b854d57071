import { isAbsolute, posix, relative } from 'node:path';

/**
 * Parse a make-format depfile (`gcc -MMD -MF`): `out.o: a.c b.h \` continued lines, `\ `
 * for spaces in names. Returns prerequisites, root-relative where inside the root.
 */
export function parseDepfile(text: string, root: string): string[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  const deps: string[] = [];
  for (const line of joined.split(/\r?\n/)) {
    const colon = findRuleColon(line);
    if (colon < 0) continue;
    let cur = '';
    const rest = line.slice(colon + 1);
    for (let i = 0; i < rest.length; i++) {
      const ch = rest[i]!;
      if (ch === '\\' && (rest[i + 1] === ' ' || rest[i + 1] === '#')) { cur += rest[++i]; continue; }
      if (ch === '$' && rest[i + 1] === '$') { cur += '$'; i++; continue; }
      if (ch === ' ' || ch === '\t') { if (cur) deps.push(cur); cur = ''; continue; }
      cur += ch;
    }
    if (cur) deps.push(cur);
  }
  const seen = new Set<string>();
  for (const d of deps) {
    const rel = isAbsolute(d) ? relative(root, d).split('\\').join('/') : posix.normalize(d);
    seen.add(isAbsolute(d) && rel.startsWith('..') ? d : rel);
  }
  return [...seen];
}

/** The colon ending the target list (not a drive letter or an escaped colon). */
function findRuleColon(line: string): number {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === ':' && line[i - 1] !== '\\' && (line[i + 1] === ' ' || line[i + 1] === undefined || line[i + 1] === '\t')) return i;
  }
  return -1;
}
