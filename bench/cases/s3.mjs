import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectCounts, festerBuild } from '../lib/fester.mjs';
import { rmrf } from '../lib/files.mjs';
import { FESTER_BIN, REPO_DIR, WORK_DIR } from '../lib/paths.mjs';
import { run } from '../lib/proc.mjs';
import { interleave } from '../lib/timing.mjs';
import { ensureCProject } from './cprojectSetup.mjs';

/**
 * Case: cached rebuild through the network tier, as on a fresh agent. Fester: a fresh local
 * cache dir and out dir each time, every action served by @fester/plugin-minio from a warm
 * S3 server (s3rver on loopback). Peer: make with CC="ccache gcc", a fresh CCACHE_DIR each
 * time, and ccache's own http remote storage (layout=bazel) warm on `fester cache serve`.
 * Both servers run as child processes: the suite's timed runs are synchronous.
 */
const TOKEN = 'bench-token';

export default {
  name: 's3',
  reps: 3,
  run(ctx) {
    const s = ensureCProject(ctx);
    const root = join(WORK_DIR, 's3');
    rmrf(root);
    const dirs = { fester: join(root, 'fester'), make: join(root, 'make'), cache: join(root, 'fester-cache'), ccache: join(root, 'ccache'), s3: join(root, 's3data'), served: join(root, 'served-cache') };
    // Own copies: the festerconfig enabling the tier must not leak into the other cases.
    for (const [from, to] of [[s.fester, dirs.fester], [s.make, dirs.make]]) {
      cpSync(from, to, { recursive: true, filter: (p) => !/\/(build|\.fester)(\/|$)/.test(p.slice(from.length)) });
    }
    mkdirSync(dirs.s3, { recursive: true });
    const s3 = child(root, 's3', [process.execPath, '--input-type=module', '-e', S3RVER_SCRIPT, dirs.s3], REPO_DIR);
    const serve = child(root, 'serve', [process.execPath, FESTER_BIN, 'cache', 'serve', '--port', '0', '--token', TOKEN], root, { FESTER_CACHE_DIR: dirs.served });
    try {
      const s3Port = waitFor(s3.log, /s3 listening on 127\.0\.0\.1:(\d+)/);
      const servePort = waitFor(serve.log, /listening on http:\/\/127\.0\.0\.1:(\d+)/);
      writeFileSync(join(dirs.fester, 'festerconfig.mjs'), `import minio from '@fester/plugin-minio';\nexport default { plugins: [minio(${JSON.stringify({ endpoints: [`http://127.0.0.1:${s3Port}`], bucket: 'fester', accessKey: 'S3RVER', secretKey: 'S3RVER' })})] };\n`);
      const yaml = join(dirs.fester, 'project.yaml');
      const env = { ...process.env, LC_ALL: 'C', CCACHE_DIR: dirs.ccache, CCACHE_CONFIGPATH: '/dev/null', CCACHE_REMOTE_STORAGE: `http://ccache:${TOKEN}@127.0.0.1:${servePort}|layout=bazel` };
      const make = () => run('make', ['-j', String(ctx.jobs), 'CC=ccache gcc'], { cwd: dirs.make, env });
      const fresh = (p) => () => { rmrf(join(p, 'build')); rmrf(join(p, '.fester')); };
      ctx.log('s3: warming the S3 tier and ccache\'s remote storage with one build each…');
      expectCounts(festerBuild(yaml, { jobs: ctx.jobs, cacheDir: dirs.cache }).journal, { executed: 'total' });
      make();
      let remoteHits = 0;
      const r = interleave(ctx.reps ?? this.reps, {
        prepare: () => { fresh(dirs.fester)(); rmrf(dirs.cache); },
        measure: () => {
          const b = festerBuild(yaml, { jobs: ctx.jobs, cacheDir: dirs.cache });
          const { events } = expectCounts(b.journal, { cached: 'total' });
          if (events.some((e) => e.type === 'cache.hit' && e.tier !== 'minio')) throw new Error('a hit came from another tier than minio');
          return b.seconds;
        },
      }, {
        prepare: () => { rmrf(join(dirs.make, 'build')); rmrf(dirs.ccache); },
        measure: () => {
          const t = make().seconds;
          const out = run('ccache', ['--print-stats'], { env }).stdout;
          const get = (k) => Number(new RegExp(`^${k}\\t(\\d+)`, 'm').exec(out)?.[1] ?? 0);
          if (get('cache_miss') > 0 || get('remote_storage_hit') === 0) throw new Error(`ccache's remote storage was not warm: ${out}`);
          remoteHits = get('remote_storage_hit');
          return t;
        },
      }, ctx.log);
      return [{
        case: `cached rebuild on a fresh agent via the network tier (${s.tus} TUs)`,
        peer: `make -j${ctx.jobs} CC="ccache gcc", fresh CCACHE_DIR, remote_storage=http…|layout=bazel`,
        fester: r.fester, peerTime: r.peer, target: 1.0, samples: r.samples,
        note: `Fester: every action a hit of the minio tier (one s3rver); ccache: ${remoteHits} remote hits per run from \`fester cache serve\``,
      }];
    } finally {
      s3.proc.kill('SIGTERM');
      serve.proc.kill('SIGTERM');
    }
  },
};

/** A real S3 server in its own process; prints its port. */
const S3RVER_SCRIPT = `
import S3rver from 's3rver';
const s = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: process.argv[1], configureBuckets: [{ name: 'fester' }] });
const a = await s.run();
console.log('s3 listening on 127.0.0.1:' + a.port);
process.on('SIGTERM', () => s.close().then(() => process.exit(0)));
`;

function child(root, name, argv, cwd, extraEnv = {}) {
  const log = join(root, `${name}.log`);
  const fd = openSync(log, 'w');
  const proc = spawn(argv[0], argv.slice(1), { cwd, env: { ...process.env, ...extraEnv }, stdio: ['ignore', fd, fd] });
  return { proc, log };
}

/** Block (the suite is synchronous) until the child's log shows `re`; 20 s at most. */
function waitFor(log, re) {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 200; i++) {
    const m = re.exec(readFileSync(log, 'utf8'));
    if (m) return Number(m[1]);
    Atomics.wait(sleeper, 0, 0, 100);
  }
  throw new Error(`${log}: the server did not start: ${readFileSync(log, 'utf8')}`);
}
