import { statSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative } from 'node:path';
import type { Build } from '../../Build.js';
import type { Command } from '../../hooks.js';
import type { Action } from '../../types.js';
import { ROOT_TOKEN, type FileRef, type Task } from '../protocol.js';

const HEADER = /\.(h|hh|hpp|hxx|h\+\+|inc|def|ipp|tcc|inl|H)$/;
const INCLUDE_FLAGS = ['-I', '-iquote', '-isystem', '-idirafter'];

/**
 * What an agent needs to run one action. Headers are not declared inputs (the compiler
 * discovers them), so a compile ships every header under its include directories and its
 * sources' directories — content-addressed, each crosses to a node once — plus the headers
 * the last run recorded. Paths in argv and env lose the root: the agent puts its own there.
 */
export class TaskBuilder {
  private readonly scans = new Map<string, Promise<string[]>>();

  constructor(private readonly build: Build) {}

  private get root(): string { return this.build.project!.root; }

  async task(a: Action, cmd: Command): Promise<{ task: Task; paths: Map<string, string> }> {
    const root = this.root;
    const strip = (s: string) => s.split(root).join(ROOT_TOKEN);
    const wanted = new Set<string>();
    const dirs = new Set<string>();
    for (const p of [...a.inputs, ...a.orderOnly]) {
      if (isDir(join(root, p))) dirs.add(p);
      else wanted.add(p);
    }
    for (const h of this.build.state?.actions[a.id]?.headers ?? []) wanted.add(h);
    if (a.kind === 'compile') for (const h of await this.headers(a)) wanted.add(h);
    for (const o of a.outputs) dirs.add(dirname(o));
    if (a.depfile) dirs.add(dirname(a.depfile));
    dirs.add(a.cwd);
    const files: FileRef[] = [];
    const paths = new Map<string, string>();
    for (const p of [...wanted].sort()) {
      const digest = await this.build.digests!.digest(p);
      if (digest === undefined) continue;
      const st = statSync(join(root, p));
      if (!st.isFile()) continue;
      files.push({ path: p, digest, mode: st.mode & 0o777 });
      paths.set(digest, join(root, p));
    }
    const task: Task = {
      action: a.id, kind: a.kind, target: a.target, toolchain: this.build.toolchainDigests.get(a.target) ?? '',
      argv: cmd.argv.map(strip), env: Object.fromEntries(Object.entries(cmd.env).map(([k, v]) => [k, strip(v)])),
      cwd: a.cwd, files, dirs: [...dirs].filter((d) => d && d !== '.').sort(), outputs: [...a.outputs],
      ...(a.depfile ? { depfile: a.depfile } : {}), project: this.build.project!.data.name, build: this.build.id,
      ...(a.meta.parallel === 'high' ? { parallel: 'high' as const } : {}),
    };
    return { task, paths };
  }

  /** Headers under the action's include dirs and its sources' dirs (project files only). */
  private async headers(a: Action): Promise<string[]> {
    const flagged: string[] = [];
    const argv = a.argv;
    for (let i = 0; i < argv.length; i++) {
      for (const f of INCLUDE_FLAGS) {
        if (argv[i] === f && argv[i + 1]) flagged.push(argv[i + 1]!);
        else if (argv[i]!.startsWith(f) && argv[i]!.length > f.length && !INCLUDE_FLAGS.some((g) => g.length > f.length && argv[i]!.startsWith(g))) flagged.push(argv[i]!.slice(f.length));
      }
    }
    // Include flags are relative to the action's cwd, inputs to the root: bring both to the root.
    const dirs = new Set<string>(a.inputs.map((p) => dirname(p)));
    for (const d of flagged) dirs.add(isAbsolute(d) ? relative(this.root, d) : normalize(join(a.cwd, d)));
    const out: string[] = [];
    for (const rel of dirs) {
      if (rel.startsWith('..') || isAbsolute(rel)) continue;
      out.push(...(await this.scan(rel)));
    }
    return out;
  }

  private scan(dir: string): Promise<string[]> {
    let p = this.scans.get(dir);
    if (!p) {
      p = import('tinyglobby').then(({ glob }) => glob(['**/*'], {
        cwd: join(this.root, dir), onlyFiles: true, followSymbolicLinks: false, ignore: ['**/.fester/**', '**/node_modules/**', '**/.git/**'],
      })).then((found) => found.filter((f) => HEADER.test(f)).map((f) => normalize(join(dir, f))));
      this.scans.set(dir, p);
    }
    return p;
  }
}

function isDir(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}
