import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { expectCounts, festerBuild } from '../lib/fester.mjs';
import { rmrf } from '../lib/files.mjs';
import { REPO_DIR, WORK_DIR } from '../lib/paths.mjs';
import { graphFromJournal, outDirOf, writeMakefile } from '../lib/project.mjs';
import { run } from '../lib/proc.mjs';
import { interleave } from '../lib/timing.mjs';

const FIXTURE = join(REPO_DIR, 'fixtures', 'zlib');

/**
 * Case 1b: the clean-build comparison on a real project, fixtures/zlib, when it exists.
 * The fixture is copied twice (Fester's copy, make's copy) without its build outputs.
 */
export default {
  name: 'zlib',
  reps: 3,
  run(ctx) {
    const label = 'clean build, fixtures/zlib (real project)';
    if (!existsSync(join(FIXTURE, 'project.yaml'))) {
      ctx.log('zlib: fixtures/zlib/project.yaml is not there yet; skipped');
      return [{ case: label, peer: `make -j${ctx.jobs}`, target: 1.05, skipped: 'fixtures/zlib/project.yaml not present in this checkout' }];
    }
    const root = join(WORK_DIR, 'zlib');
    const dirs = { fester: join(root, 'fester'), make: join(root, 'make'), cache: join(root, 'fester-cache') };
    for (const d of [dirs.fester, dirs.make]) {
      rmrf(d);
      cpSync(FIXTURE, d, { recursive: true, filter: (src) => !/\/\.fester$/.test(src) });
    }
    const yaml = join(dirs.fester, 'project.yaml');
    const out = outDirOf(yaml);
    const clean = () => { rmrf(join(dirs.fester, out)); rmrf(dirs.cache); };
    clean();
    const ref = festerBuild(yaml, { jobs: ctx.jobs, cacheDir: dirs.cache });
    const { counts } = expectCounts(ref.journal, { executed: 'total' });
    writeMakefile(dirs.make, graphFromJournal(ref.journal, dirs.fester));
    ctx.log(`zlib: ${counts.total} actions, reference build ${ref.seconds.toFixed(2)} s; Makefile written`);
    const r = interleave(ctx.reps ?? this.reps, {
      prepare: clean,
      measure: () => {
        const b = festerBuild(yaml, { jobs: ctx.jobs, cacheDir: dirs.cache });
        expectCounts(b.journal, { executed: 'total' });
        return b;
      },
    }, {
      prepare: () => rmrf(join(dirs.make, out)),
      measure: () => run('make', ['-j', String(ctx.jobs)], { cwd: dirs.make, env: { ...process.env, LC_ALL: 'C' } }),
    }, ctx.log, { fester: [ref] });
    return [{ case: `${label}, ${counts.total} actions`, peer: `make -j${ctx.jobs}`, fester: r.fester, peerTime: r.peer, target: 1.05, samples: r.samples, cpu: r.cpu }];
  },
};
