import { join } from 'node:path';
import { expectCounts, festerBuild } from '../lib/fester.mjs';
import { rmrf } from '../lib/files.mjs';
import { run } from '../lib/proc.mjs';
import { interleave } from '../lib/timing.mjs';
import { ensureCProject } from './cprojectSetup.mjs';

/**
 * Case 2: rebuild after deleting the outputs, everything cached. Fester keeps its cache dir
 * (warm from the reference or clean builds); make runs with CC="ccache gcc" and a ccache dir
 * warmed by one earlier make build. Both start from a deleted build folder.
 */
export default {
  name: 'cached',
  reps: 5,
  run(ctx) {
    const s = ensureCProject(ctx);
    const env = { ...process.env, LC_ALL: 'C', CCACHE_DIR: s.ccache };
    const make = () => run('make', ['-j', String(ctx.jobs), 'CC=ccache gcc'], { cwd: s.make, env });
    rmrf(s.ccache);
    rmrf(join(s.make, 'build'));
    ctx.log('cached: warming ccache with one make build…');
    make();
    run('ccache', ['-z'], { env });
    const r = interleave(ctx.reps ?? this.reps, {
      prepare: () => rmrf(join(s.fester, 'build')),
      measure: () => {
        const b = festerBuild(s.yaml, { jobs: ctx.jobs, cacheDir: s.cache });
        expectCounts(b.journal, { cached: 'total' });
        return b;
      },
    }, {
      prepare: () => rmrf(join(s.make, 'build')),
      measure: () => make(),
    }, ctx.log);
    const stats = ccacheStats(env);
    if (stats.miss > 0 || stats.hit === 0) throw new Error(`ccache was not warm: ${JSON.stringify(stats)}`);
    return [{
      case: `rebuild after deleting outputs, warm cache (${s.tus} TUs)`,
      peer: `make -j${ctx.jobs} CC="ccache gcc"`,
      fester: r.fester, peerTime: r.peer, target: 1.0, samples: r.samples, cpu: r.cpu,
      note: `ccache: ${stats.hit} hits, ${stats.miss} misses over the timed runs`,
    }];
  },
};

function ccacheStats(env) {
  const out = run('ccache', ['--print-stats'], { env }).stdout;
  const get = (k) => Number(new RegExp(`^${k}\\t(\\d+)`, 'm').exec(out)?.[1] ?? 0);
  return { hit: get('direct_cache_hit') + get('preprocessed_cache_hit'), miss: get('cache_miss') };
}
