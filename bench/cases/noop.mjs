import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bigGraphProject } from '../gen/bigGraph.mjs';
import { buildBenchcc } from '../lib/benchcc.mjs';
import { expectCounts, festerBuild, pruneSessions } from '../lib/fester.mjs';
import { rmrf, writeTree } from '../lib/files.mjs';
import { BENCH_DIR, WORK_DIR } from '../lib/paths.mjs';
import { run } from '../lib/proc.mjs';
import { graphFromJournal, readJson, writeBuildNinja } from '../lib/project.mjs';
import { interleave } from '../lib/timing.mjs';

const LIBS = 50;
const PER_LIB = 199;

/**
 * Case 3: no-op build of a 10,000-action graph, Fester vs ninja on the same commands, whole
 * process wall time (node start-up included). The two one-off initial builds are kept in
 * bench/.work/noop between runs (they are the slow part, not what is measured); they are
 * redone when the generator changes, when Fester no longer finds the tree up to date, or
 * with --fresh.
 */
export default {
  name: 'noop',
  reps: 5,
  run(ctx) {
    const root = join(WORK_DIR, 'noop');
    const dirs = { fester: join(root, 'fester'), ninja: join(root, 'ninja'), cache: join(root, 'fester-cache') };
    const cc = buildBenchcc();
    const festerEnv = { FESTER_HOST_CC: cc.tool };
    const ninjaEnv = { ...process.env, LC_ALL: 'C', PATH: `${cc.bin}:${process.env.PATH}` };
    const yaml = join(dirs.fester, 'project.yaml');
    const { files, actions } = bigGraphProject({ libs: LIBS, perLib: PER_LIB });
    const stamp = stampOf(files);
    const stampFile = join(root, 'stamp.json');
    if (ctx.fresh || readJson(stampFile, {}).stamp !== stamp) {
      rmrf(root);
      for (const d of [dirs.fester, dirs.ninja]) writeTree(d, files);
    }
    const fester = (expect) => {
      const b = festerBuild(yaml, { jobs: ctx.jobs, cacheDir: dirs.cache, extraEnv: festerEnv });
      return { ...b, ...expectCounts(b.journal, expect) };
    };
    ctx.log(`noop: settling the ${actions}-action graph (first run here builds it: several minutes)…`);
    let first = fester({});
    if (first.counts.upToDate !== first.counts.total && first.counts.executed !== first.counts.total) {
      ctx.log(`noop: Fester state is partial (${JSON.stringify(first.counts)}); starting over`);
      rmrf(root);
      for (const d of [dirs.fester, dirs.ninja]) writeTree(d, files);
      first = fester({ executed: 'total' });
    }
    if (first.counts.executed === first.counts.total) {
      ctx.log(`noop: Fester built ${first.counts.total} actions in ${first.seconds.toFixed(1)} s; writing build.ninja`);
      rmrf(join(dirs.ninja, 'build'));
      rmrf(join(dirs.ninja, '.ninja_log'));
      rmrf(join(dirs.ninja, '.ninja_deps'));
      writeBuildNinja(dirs.ninja, graphFromJournal(first.journal, dirs.fester));
    }
    if (!existsSync(join(dirs.ninja, 'build.ninja'))) throw new Error('noop: no build.ninja and Fester ran nothing to derive one from; run with --fresh');
    const n0 = run('ninja', ['-j', String(ctx.jobs)], { cwd: dirs.ninja, env: ninjaEnv });
    ctx.log(`noop: ninja settle ${n0.seconds.toFixed(1)} s`);
    checkNinjaIdle(dirs.ninja, ninjaEnv);
    writeFileSync(stampFile, JSON.stringify({ stamp }));
    const r = interleave(ctx.reps ?? this.reps, {
      prepare: () => pruneSessions(dirs.fester),
      measure: () => {
        return fester({ upToDate: 'total' });
      },
    }, {
      measure: () => {
        const n = run('ninja', ['-j', String(ctx.jobs)], { cwd: dirs.ninja, env: ninjaEnv });
        if (!n.stdout.includes('no work to do')) throw new Error(`ninja was not a no-op:\n${n.stdout.slice(0, 500)}`);
        return n;
      },
    }, ctx.log);
    return [{
      case: `no-op build, generated graph (${actions} actions)`,
      peer: `ninja -j${ctx.jobs}`,
      fester: r.fester, peerTime: r.peer, target: 2.0, samples: r.samples, cpu: r.cpu,
      note: 'compiles run bench/tools/benchcc (a stand-in that writes .o and .d files) for the untimed initial builds',
    }];
  },
};

/** ninja must have nothing to do, and must know each object's headers from its deps log. */
function checkNinjaIdle(dir, env) {
  const dry = run('ninja', ['-n'], { cwd: dir, env }).stdout;
  if (!dry.includes('no work to do')) throw new Error(`noop: ninja is not up to date after its build:\n${dry.slice(0, 500)}`);
  const deps = run('ninja', ['-t', 'deps', 'build/host/obj/l00/src/l00/f000.c.o'], { cwd: dir, env }).stdout;
  if (!deps.includes('include/common.h')) throw new Error(`noop: ninja has no header deps recorded:\n${deps}`);
}

/** Changes with the generated sources and with the stand-in compiler. */
function stampOf(files) {
  const h = createHash('sha256');
  for (const k of Object.keys(files).sort()) h.update(`${k}\0${files[k]}\0`);
  h.update(readFileSync(join(BENCH_DIR, 'tools', 'benchcc.c')));
  return h.digest('hex').slice(0, 16);
}
