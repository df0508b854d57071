import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectCounts } from '../lib/fester.mjs';
import { latestJournal } from '../lib/journal.mjs';
import { rmrf } from '../lib/files.mjs';
import { FESTER_BIN } from '../lib/paths.mjs';
import { have, run } from '../lib/proc.mjs';
import { interleave } from '../lib/timing.mjs';
import { ensureCProject } from './cprojectSetup.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A daemon whose output goes to a file (the bench's synchronous runs must not block its pipe). */
function daemon(cmd, args, env, log) {
  const fd = openSync(log, 'w');
  const p = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd], detached: false });
  closeSync(fd);
  return p;
}

async function waitFor(what, fn, ms = 60_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    await sleep(200);
  }
  throw new Error(`${what} did not happen within ${ms / 1000} s`);
}

/**
 * Case farm: a clean build of the generated project spread over 2 agents on loopback, against
 * distcc with 2 `distccd` on loopback running the same compile commands (make -j of the same
 * total slots; distcc links locally, Fester ships links to the agents too). Both start from an
 * empty out dir; Fester from an empty action cache (its toolchain digests and scheduler
 * history kept). The agents keep their blob stores across repetitions, as agents of a real
 * farm do.
 */
export default {
  name: 'farm',
  reps: 3,
  async run(ctx) {
    if (!have('distccd')) throw new Error('distccd is not on PATH: apt-get install distcc');
    const s = ensureCProject(ctx);
    const dir = join(s.root, 'farm');
    rmrf(dir);
    mkdirSync(dir, { recursive: true });
    const per = Math.max(1, Math.ceil(ctx.jobs / 2));
    const token = randomBytes(16).toString('hex');
    const procs = [];
    try {
      const coLog = join(dir, 'coordinator.log');
      procs.push(daemon(process.execPath, [FESTER_BIN, 'coordinator', '--listen', '127.0.0.40:0', '--data-dir', join(dir, 'coord')], { FESTER_FARM_TOKEN: token }, coLog));
      const url = await waitFor('coordinator start', async () => /listening on (\S+)/.exec(readFileSync(coLog, 'utf8'))?.[1]);
      for (const id of ['bench-a1', 'bench-a2']) {
        procs.push(daemon(process.execPath, [FESTER_BIN, 'agent', '--coordinator', url, '--id', id, '--work-dir', join(dir, id), '--slots', String(per), '--targets', 'host', '--no-sandbox'],
          { FESTER_FARM_TOKEN: token }, join(dir, `${id}.log`)));
      }
      await waitFor('2 agents ready', async () => {
        const { nodes } = await (await fetch(`${url}/api/nodes`)).json();
        return nodes.filter((n) => n.state === 'ready').length === 2;
      });
      const hosts = [];
      for (const [i, ip] of ['127.0.0.41', '127.0.0.42'].entries()) {
        procs.push(daemon('distccd', ['--daemon', '--no-detach', '--listen', ip, '--port', String(3632 + i), '--allow', '127.0.0.0/8', '--jobs', String(per), '--log-stderr'], {}, join(dir, `distccd-${i}.log`)));
        hosts.push(`${ip}:${3632 + i}/${per}`);
      }
      await sleep(500);
      const distccDir = join(dir, 'distcc');
      mkdirSync(distccDir, { recursive: true });
      const cache = join(dir, 'fester-cache');
      ctx.log(`farm: coordinator ${url}, 2 agents × ${per} slots; distcc hosts ${hosts.join(' ')}`);
      const r = interleave(ctx.reps ?? this.reps, {
        // Clean = no cached actions. The client's toolchain digests and the scheduler's history
        // stay, as on any machine that has sent a build to this farm before (distcc validates
        // nothing, so a per-run toolchain probe would be a cost only one side pays).
        prepare: () => { rmrf(join(s.fester, 'build')); rmrf(join(cache, 'local')); },
        measure: () => {
          const b = run(process.execPath, [FESTER_BIN, 'build', s.yaml, '--farm', url], { cwd: s.fester, env: { ...process.env, FESTER_CACHE_DIR: cache, FESTER_FARM_TOKEN: token } });
          expectCounts(latestJournal(s.fester), { executed: 'total' });
          return b;
        },
      }, {
        prepare: () => rmrf(join(s.make, 'build')),
        measure: () => run('make', ['-j', String(2 * per), 'CC=distcc gcc'], { cwd: s.make, env: { ...process.env, LC_ALL: 'C', DISTCC_HOSTS: hosts.join(' '), DISTCC_DIR: distccDir } }),
      }, ctx.log);
      return [{
        case: `farm: clean build over 2 loopback agents (${s.tus} TUs, ${s.actions} actions)`,
        peer: `distcc, 2 distccd, make -j${2 * per}`,
        fester: r.fester, peerTime: r.peer, target: 1.0, samples: r.samples, cpu: r.cpu,
        note: 'CPU is the client side only (fester build vs make + distcc with local preprocessing); agents and distccd are daemons outside it',
      }];
    } finally {
      for (const p of procs) p.kill('SIGTERM');
      await sleep(300);
      for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    }
  },
};
