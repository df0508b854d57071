import { isCollection, LineCounter, parseDocument } from 'yaml';

/** A 1-based line and column in a text file. */
export interface LineCol { line: number; col: number }

/**
 * Where a field of a JSON file is written, so a bad trace or farm file is reported at
 * `file:line:col` and not only as `actions.3.durationMs` (a 10,000-action trace is long).
 * JSON is YAML 1.2, so the yaml parser gives every node its source range; the path is
 * walked as far as it exists (a missing key points at the object that lacks it).
 */
export function locateJsonPath(text: string, path: readonly (string | number)[]): LineCol | undefined {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, keepSourceTokens: false });
  let node: unknown = doc.contents;
  for (const key of path) {
    if (!isCollection(node)) break;
    const next = node.get(typeof key === 'string' && /^\d+$/.test(key) ? Number(key) : key, true);
    if (next === undefined) break;
    node = next;
  }
  const range = (node as { range?: [number, number, number] } | null)?.range;
  if (!range) return undefined;
  const p = lc.linePos(range[0]);
  return { line: p.line, col: p.col };
}

/** The line and column of a JSON.parse error: "at position N" or "(line L column C)" by Node version. */
export function jsonErrorPosition(text: string, message: string): LineCol | undefined {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), col: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  if (!pos) {
    // Some messages quote the text instead of a position: ask the yaml parser where it breaks.
    const doc = parseDocument(text, { prettyErrors: true });
    const p = doc.errors[0]?.linePos?.[0];
    return p ? { line: p.line, col: p.col } : undefined;
  }
  const before = text.slice(0, Number(pos[1]));
  const nl = before.lastIndexOf('\n');
  return { line: before.split('\n').length, col: before.length - nl };
}
