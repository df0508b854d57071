import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { cProject } from '../gen/cproject.mjs';
import { expectCounts, festerBuild, festerEnv } from '../lib/fester.mjs';
import { rmrf, writeTree } from '../lib/files.mjs';
import { FESTER_BIN, WORK_DIR } from '../lib/paths.mjs';
import { run } from '../lib/proc.mjs';
import { graphFromJournal, writeBuildNinja } from '../lib/project.mjs';
import { median } from '../lib/timing.mjs';

/** Lines of `fester watch --json`, and a way to wait (bounded) for the next build's result. */
function watchStream(child) {
  const results = [];
  let buf = '';
  let wake = () => {};
  child.stdout.on('data', (d) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop();
    for (const l of lines) {
      const ev = l.trim() ? JSON.parse(l) : undefined;
      if (ev?.type === 'result' || ev?.type === 'error') { results.push({ ev, at: performance.now() }); wake(); }
    }
  });
  return async function next(timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    while (!results.length) {
      if (Date.now() > deadline) throw new Error('fester watch reported no build in time');
      await new Promise((r) => { wake = r; setTimeout(r, 250); });
    }
    return results.shift();
  };
}

/**
 * Issue "Snapshots… and fester watch": one-TU change in the ~200-TU project, time from the save
 * to rebuilt outputs. Fester: a running `fester watch` (warm session); its clock stops when the
 * build's result is reported. ninja: `ninja -j N` run after the same change, whole process.
 * Target: ninja + 0.2 s, shown as the ratio (ninja + 0.2 s) / ninja.
 */
export default {
  name: 'watch',
  reps: 5,
  async run(ctx) {
    const root = join(WORK_DIR, 'watch');
    const dirs = { fester: join(root, 'fester'), ninja: join(root, 'ninja'), cache: join(root, 'cache') };
    const { files, tus } = cProject();
    for (const d of Object.values(dirs)) rmrf(d);
    writeTree(dirs.fester, files);
    writeTree(dirs.ninja, files);
    ctx.log('watch: reference build for the commands, then ninja once…');
    const ref = festerBuild(join(dirs.fester, 'project.yaml'), { jobs: ctx.jobs, cacheDir: dirs.cache });
    expectCounts(ref.journal, { executed: 'total' });
    writeBuildNinja(dirs.ninja, graphFromJournal(ref.journal, dirs.fester));
    run('ninja', ['-j', String(ctx.jobs)], { cwd: dirs.ninja });
    const child = spawn(process.execPath, [FESTER_BIN, 'watch', '--json', '-j', String(ctx.jobs), '--debounce', '50'], { cwd: dirs.fester, env: festerEnv(dirs.cache), stdio: ['ignore', 'pipe', 'inherit'] });
    const next = watchStream(child);
    try {
      await next();
      const tuList = Object.keys(files).filter((f) => f.startsWith('src/') && f.endsWith('.c'));
      const times = { fester: [], peer: [] };
      const reps = ctx.reps ?? this.reps;
      for (let i = 0; i < reps; i++) {
        // A real edit: a new function, so the object and every link that uses it change.
        const tu = tuList[(i * 37) % tuList.length];
        const edit = `\nint bench_watch_edit_${i}(int x) { return x * ${i + 3}; }\n`;
        const t0 = performance.now();
        appendFileSync(join(dirs.fester, tu), edit);
        const { ev, at } = await next();
        if (ev.type !== 'result' || ev.status !== 'success' || ev.counts.executed < 2) throw new Error(`watch build after editing ${tu}: ${JSON.stringify(ev).slice(0, 300)}`);
        times.fester.push((at - t0) / 1000);
        appendFileSync(join(dirs.ninja, tu), edit);
        times.peer.push(run('ninja', ['-j', String(ctx.jobs)], { cwd: dirs.ninja }).seconds);
        ctx.log(`  rep ${i + 1}/${reps} ${tu}: fester watch ${times.fester.at(-1).toFixed(3)} s, ninja ${times.peer.at(-1).toFixed(3)} s`);
      }
      const fester = median(times.fester);
      const peerTime = median(times.peer);
      return [{
        case: `one-TU change, watch vs ninja (${tus} TUs)`,
        peer: `ninja -j${ctx.jobs}`,
        fester, peerTime, target: Number(((peerTime + 0.2) / peerTime).toFixed(2)), samples: times,
        note: 'target is ninja + 0.2 s, written as a ratio; fester times run from the save to the reported result',
      }];
    } finally {
      child.kill('SIGINT');
    }
  },
};
