import { isAbsolute, join } from 'node:path';
import type { Build } from '../Build.js';

/** What a build depends on, for watchers: files whose change matters, and globs new files may match. */
export interface BuildInputs {
  /** Absolute paths: the project file, the config, every source, raw-action input and discovered header. */
  files: string[];
  /** Absolute folders to watch for files that appear (the fixed prefix of each source glob). */
  dirs: string[];
  /** Root-relative source globs: a new file matching one joins the graph. */
  patterns: string[];
  root: string;
}

/** The static folder part of a glob: `src/**\/*.c` → `src`, `*.c` → `.`. */
function globBase(pattern: string): string {
  const parts = pattern.split('/');
  const i = parts.findIndex((p) => /[*?[\]{}!]/.test(p));
  return (i < 0 ? parts.slice(0, -1) : parts.slice(0, i)).join('/') || '.';
}

/**
 * Inputs of a finished (or failed) build. Outputs of other actions are left out: they change
 * because of the build itself. Headers come from the depfiles recorded in the build's state.
 */
export function buildInputs(build: Build): BuildInputs | undefined {
  const project = build.project;
  if (!project) return undefined;
  const abs = (p: string) => (isAbsolute(p) ? p : join(project.root, p));
  const files = new Set<string>([project.file]);
  if (build.compiler.configFile) files.add(build.compiler.configFile);
  const graph = build.graph;
  if (graph) {
    for (const a of graph.actions) for (const i of a.inputs) if (!graph.producerOf(i)) files.add(abs(i));
  }
  for (const r of Object.values(build.finalRecords ?? build.state?.actions ?? {})) for (const h of r.headers) files.add(abs(h));
  const patterns = (project.data.artifacts ?? []).flatMap((a) => a.sources);
  const dirs = [...new Set(patterns.map((p) => abs(globBase(p))))];
  return { files: [...files], dirs, patterns, root: project.root };
}
