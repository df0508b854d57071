import { join } from 'node:path';
import { expectCounts, festerBuild } from '../lib/fester.mjs';
import { rmrf } from '../lib/files.mjs';
import { run } from '../lib/proc.mjs';
import { interleave } from '../lib/timing.mjs';
import { ensureCProject } from './cprojectSetup.mjs';

/**
 * Case 1: clean build of the generated project. Fester starts from an empty out dir and an
 * empty cache; make from `rm -rf build`, running the very commands Fester ran.
 */
export default {
  name: 'clean',
  reps: 3,
  run(ctx) {
    const s = ensureCProject(ctx);
    const r = interleave(ctx.reps ?? this.reps, {
      prepare: () => { rmrf(join(s.fester, 'build')); rmrf(s.cache); },
      measure: () => {
        const b = festerBuild(s.yaml, { jobs: ctx.jobs, cacheDir: s.cache });
        expectCounts(b.journal, { executed: 'total' });
        return b;
      },
    }, {
      prepare: () => rmrf(join(s.make, 'build')),
      measure: () => run('make', ['-j', String(ctx.jobs)], { cwd: s.make, env: { ...process.env, LC_ALL: 'C' } }),
    }, ctx.log, { fester: [s.ref] });
    return [{
      case: `clean build, generated C project (${s.tus} TUs, ${s.actions} actions)`,
      peer: `make -j${ctx.jobs}`,
      fester: r.fester, peerTime: r.peer, target: 1.05, samples: r.samples, cpu: r.cpu,
    }];
  },
};
