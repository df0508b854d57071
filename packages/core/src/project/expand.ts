import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { posix } from 'node:path';
import { FesterError } from '../errors/FesterError.js';
import { didYouMean } from '../errors/didYouMean.js';
import type { ActionSpec } from '../types.js';
import { defineArgs, mergeFlags } from './flags.js';
import { expandPattern, isGlob, staysInside } from './globs.js';
import type { ArtifactYaml } from './schema.js';
import type { ProjectSource } from './types.js';
import { expandCustomActions } from './customActions.js';

/** Tool names (resolved through the toolchain's PATH) that the expansion writes into argv. */
export interface TargetTools {
  cc: string;
  cxx: string;
  ar: string;
  /** Flags the target itself needs (toolchain), placed before the project's. */
  cflags: readonly string[];
  ldflags: readonly string[];
  exeSuffix: string;
}

const CXX = /\.(cc|cpp|cxx|C|c\+\+)$/;

function outputName(a: ArtifactYaml, exeSuffix: string): string {
  if (a.kind === 'static-library') return `lib${a.name}.a`;
  if (a.kind === 'shared-library') return `lib${a.name}.so`;
  return `${a.name}${exeSuffix}`;
}

/** Whether an artifact (or raw action) is built for a target: all targets unless it lists some. */
export function builtFor(item: { targets?: readonly string[] }, target: string): boolean {
  return !item.targets || item.targets.includes(target);
}

/** Artifacts × targets → compile / archive / link actions, plus the raw `actions` per target. */
export function expandProject(src: ProjectSource, targets: readonly string[], toolsFor: (t: string) => TargetTools): ActionSpec[] {
  const arts = src.data.artifacts ?? [];
  const byName = indexArtifacts(src, arts);
  const linkOrder = resolveLinks(src, arts, byName);
  const sources = arts.map((a, i) => globSources(src, a, i));
  // A static library linked into a shared one must be position-independent too.
  const needsPic = new Set(arts.filter((a) => a.kind === 'shared-library').flatMap((a) => linkOrder.get(a.name)!));
  const actions: ActionSpec[] = [];
  for (const target of targets) {
    const outT = `${src.out}/${target}`;
    const tools = toolsFor(target);
    const custom = expandCustomActions(src, target, outT);
    const generated = generatorOutputs(custom, outT);
    actions.push(...custom);
    arts.forEach((a, i) => {
      if (!builtFor(a, target)) return;
      const flags = mergeFlags(src.data, a, target);
      const pic = a.kind === 'shared-library' || needsPic.has(a.name) ? ['-fPIC'] : [];
      const objs: string[] = [];
      let cxx = false;
      for (const s of sources[i]!) {
        const obj = `${outT}/obj/${a.name}/${s}.o`;
        const isCxx = CXX.test(s);
        cxx ||= isCxx;
        objs.push(obj);
        actions.push({
          id: obj.slice(src.out.length + 1),
          kind: 'compile',
          target,
          artifact: a.name,
          argv: [isCxx ? tools.cxx : tools.cc, ...tools.cflags, ...flags.cflags, ...pic, ...defineArgs(flags.defines),
            ...flags.includes.map((d) => `-I${d}`), `-I${outT}`, '-c', s, '-o', obj, '-MMD', '-MF', `${obj}.d`],
          cwd: '.',
          inputs: [s],
          outputs: [obj],
          orderOnly: generated,
          depfile: `${obj}.d`,
          env: {},
          meta: {},
        });
      }
      const out = `${outT}/${outputName(a, tools.exeSuffix)}`;
      const base = { id: out.slice(src.out.length + 1), target, artifact: a.name, cwd: '.', outputs: [out], orderOnly: [], env: {}, meta: {} };
      if (a.kind === 'static-library') {
        actions.push({ ...base, kind: 'archive', argv: [tools.ar, 'rcsD', out, ...objs], inputs: objs });
        return;
      }
      const missing = linkOrder.get(a.name)!.find((n) => !builtFor(byName.get(n)!.art, target));
      if (missing) {
        throw new FesterError('FE0105', { message: `artifact "${a.name}" links "${missing}", which is not built for target ${target}`, location: { file: src.file, ...src.locate(['artifacts', i, 'link']) }, hint: `add ${target} to the targets of "${missing}", or restrict "${a.name}" to the same targets` });
      }
      const libs = linkOrder.get(a.name)!.map((n) => `${outT}/${outputName(byName.get(n)!.art, tools.exeSuffix)}`);
      const needsCxx = cxx || linkOrder.get(a.name)!.some((n) => byName.get(n)!.cxx);
      const driver = needsCxx ? tools.cxx : tools.cc;
      const soname = a.kind === 'shared-library' ? ['-shared', `-Wl,-soname,${outputName(a, tools.exeSuffix)}`] : [];
      const rpath = libs.some((l) => l.endsWith('.so')) ? ['-Wl,-rpath,$ORIGIN'] : [];
      actions.push({
        ...base,
        kind: 'link',
        argv: [driver, ...tools.ldflags, ...soname, ...flags.ldflags, ...rpath, '-o', out, ...objs, ...libs, ...flags.libs.map((l) => `-l${l}`)],
        inputs: [...objs, ...libs],
      });
    });
  }
  return actions;
}

interface Indexed { art: ArtifactYaml; index: number; cxx: boolean }

function indexArtifacts(src: ProjectSource, arts: ArtifactYaml[]): Map<string, Indexed> {
  const byName = new Map<string, Indexed>();
  arts.forEach((art, index) => {
    if (byName.has(art.name)) {
      throw new FesterError('FE0108', {
        message: `artifact "${art.name}" is declared twice`,
        location: { file: src.file, ...src.locate(['artifacts', index, 'name']) },
      });
    }
    byName.set(art.name, { art, index, cxx: art.sources.some((s) => CXX.test(s)) });
  });
  return byName;
}

function globSources(src: ProjectSource, a: ArtifactYaml, i: number): string[] {
  const seen = new Set<string>();
  a.sources.forEach((pattern, j) => {
    const at = () => ({ file: src.file, ...src.locate(['artifacts', i, 'sources', j]) });
    if (!staysInside(pattern)) {
      throw new FesterError('FE0103', { message: `source "${pattern}" is outside the project root`, location: at(), hint: 'sources are globs relative to `root`' });
    }
    const found = expandPattern(src.root, pattern, a.exclude ?? [], src.out);
    if (found.length === 0 || (!isGlob(pattern) && !existsUnder(src.root, pattern))) {
      throw new FesterError('FE0104', { message: `"${pattern}" in artifact "${a.name}" matches no file`, location: at() });
    }
    for (const f of found) seen.add(posix.normalize(f));
  });
  return [...seen];
}

function existsUnder(root: string, p: string): boolean {
  return existsSync(join(root, p));
}

/**
 * For each artifact, the libraries it links, transitively, in link order (a library before
 * the libraries it needs). A link cycle is reported with its path.
 */
function resolveLinks(src: ProjectSource, arts: ArtifactYaml[], byName: Map<string, Indexed>): Map<string, string[]> {
  arts.forEach((a, i) => (a.link ?? []).forEach((name, j) => {
    const dep = byName.get(name);
    if (dep && dep.art.kind !== 'executable') return;
    const at = { file: src.file, ...src.locate(['artifacts', i, 'link', j]) };
    const libs = arts.filter((x) => x.kind !== 'executable').map((x) => x.name);
    if (!dep) {
      const s = didYouMean(name, libs);
      throw new FesterError('FE0105', { message: `artifact "${a.name}" links "${name}", which is not declared`, location: at, hint: s ? `did you mean "${s}"?` : `libraries in this project: ${libs.join(', ') || 'none'}` });
    }
    throw new FesterError('FE0105', { message: `artifact "${a.name}" links "${name}", which is an executable`, location: at, hint: `only libraries can be linked: ${libs.join(', ') || 'none'}` });
  }));
  const links = (n: string) => byName.get(n)!.art.link ?? [];
  const checked = new Set<string>();
  const check = (name: string, stack: string[]): void => {
    if (stack.includes(name)) {
      const cycle = [...stack.slice(stack.indexOf(name)), name];
      throw new FesterError('FE0106', {
        message: `link cycle: ${cycle.join(' → ')}`,
        location: { file: src.file, ...src.locate(['artifacts', byName.get(name)!.index, 'link']) },
      });
    }
    if (checked.has(name)) return;
    for (const dep of links(name)) check(dep, [...stack, name]);
    checked.add(name);
  };
  const result = new Map<string, string[]>();
  // Reverse post-order of the dependency DFS puts every library before the ones it needs.
  const visit = (name: string): void => {
    check(name, []);
    const post: string[] = [];
    const seen = new Set<string>();
    const dfs = (n: string): void => {
      if (seen.has(n)) return;
      seen.add(n);
      for (const d of [...links(n)].reverse()) dfs(d);
      post.push(n);
    };
    // Visiting in reverse declared order makes the reversed result keep the declared order
    // wherever no dependency forces another one.
    for (const d of [...links(name)].reverse()) dfs(d);
    result.set(name, post.reverse());
  };
  for (const a of arts) visit(a.name);
  return result;
}

/**
 * Outputs of the raw actions that generate sources (headers, tables): those whose inputs are
 * not built by the project, or only by other generators. Every compile waits for them
 * (order-only; the headers it reads count through its depfile). A raw action that consumes
 * an artifact — objcopy of an .elf, say — runs after the build instead.
 */
function generatorOutputs(custom: readonly ActionSpec[], outT: string): string[] {
  const gens = new Set<ActionSpec>();
  const producedBy = new Map<string, ActionSpec>();
  for (const c of custom) for (const o of c.outputs) producedBy.set(o, c);
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of custom) {
      if (gens.has(c)) continue;
      const ok = c.inputs.every((i) => !i.startsWith(`${outT}/`) || (producedBy.has(i) && gens.has(producedBy.get(i)!)));
      if (ok) { gens.add(c); grew = true; }
    }
  }
  return [...gens].flatMap((g) => g.outputs);
}
