import { join } from 'node:path';
import { cProject } from '../gen/cproject.mjs';
import { expectCounts, festerBuild } from '../lib/fester.mjs';
import { rmrf, writeTree } from '../lib/files.mjs';
import { WORK_DIR } from '../lib/paths.mjs';
import { graphFromJournal, writeMakefile } from '../lib/project.mjs';

/**
 * The generated ~200-TU project, shared by the clean-build and cached-rebuild cases: one copy
 * for Fester, one for make (so neither sees the other's outputs), and one Fester cache dir.
 */
let setup;

export function cprojectDirs() {
  const root = join(WORK_DIR, 'cproject');
  return { root, fester: join(root, 'fester'), make: join(root, 'make'), cache: join(root, 'fester-cache'), ccache: join(root, 'ccache') };
}

/**
 * Generate the project and run Fester once, clean (empty out dir, fresh cache), to learn its
 * exact commands; write the Makefile from them. That run is a valid clean-build sample, so
 * it is returned for the clean case to use as its first Fester repetition.
 */
export function ensureCProject(ctx) {
  if (setup) return setup;
  const dirs = cprojectDirs();
  const { files, tus } = cProject();
  for (const d of [dirs.fester, dirs.make]) {
    rmrf(d);
    writeTree(d, files);
  }
  rmrf(dirs.cache);
  ctx.log(`cproject: ${tus} translation units generated; reference Fester build…`);
  const yaml = join(dirs.fester, 'project.yaml');
  const ref = festerBuild(yaml, { jobs: ctx.jobs, cacheDir: dirs.cache });
  const { counts } = expectCounts(ref.journal, { executed: 'total' });
  const graph = graphFromJournal(ref.journal, dirs.fester);
  writeMakefile(dirs.make, graph);
  ctx.log(`cproject: ${counts.total} actions, reference build ${ref.seconds.toFixed(2)} s; Makefile written`);
  setup = { ...dirs, yaml, tus, actions: counts.total, ref };
  return setup;
}
