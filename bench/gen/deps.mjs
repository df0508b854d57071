import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';

/**
 * Recover the dependency graph of the commands Fester ran, from the commands alone: an argv
 * word that names another command's output is an edge (objects → archive → link); one that
 * names an existing source file is a plain input; a generated header a compile read is an
 * order-only edge, as Fester orders it. `root` is the project folder holding the sources.
 */
export function commandGraph(commands, root) {
  const producer = new Map();
  for (const c of commands) for (const o of c.outputs) producer.set(o, c);
  return commands.map((c) => {
    const own = new Set(c.outputs);
    const mf = c.argv.indexOf('-MF');
    const depfile = mf >= 0 ? rel(c.cwd, c.argv[mf + 1]) : undefined;
    const deps = [];
    const sources = [];
    c.argv.slice(1).forEach((word) => {
      if (word.startsWith('-')) return;
      const p = rel(c.cwd, word);
      if (own.has(p) || p === depfile) return;
      if (producer.has(p)) deps.push(p);
      else if (isSourceFile(root, p)) sources.push(p);
    });
    const orderOnly = c.headers.filter((h) => producer.has(h) && !deps.includes(h));
    return { ...c, deps: uniq(deps), sources: uniq(sources), orderOnly: uniq(orderOnly), depfile };
  });
}

function rel(cwd, p) {
  return posix.normalize(posix.isAbsolute(p) ? p : posix.join(cwd, p));
}

function isSourceFile(root, p) {
  return !p.startsWith('..') && !posix.isAbsolute(p) && /\.(c|cc|cpp|cxx|s|S|h)$/.test(p) && existsSync(join(root, p));
}

function uniq(xs) {
  return [...new Set(xs)];
}
