import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../../test/helpers.js';
import { startServe, type RunningServe } from '../../../test/cacheServe.js';

const TOKEN = 'bazel-test-token';

/** Debian's bazel-bootstrap against `fester cache serve`: its second clean build hits remote. */
describe('Bazel --remote_cache against fester cache serve', () => {
  const fx = fixture('bazel');
  let srv: RunningServe;
  const bases = [join(fx.base, 'out-a'), join(fx.base, 'out-b')];
  const bazel = (base: string, args: string[]) =>
    execa('bazel', [`--output_user_root=${join(fx.base, 'bazel-root')}`, `--output_base=${base}`, '--max_idle_secs=30', '--batch', ...args], {
      cwd: fx.dir, reject: false, env: { HOME: fx.base, PATH: process.env.PATH ?? '/usr/bin:/bin' }, extendEnv: false,
    });
  beforeAll(async () => { srv = await startServe(fx.cache, fx.dir, TOKEN); });
  afterAll(async () => {
    await srv?.stop();
    fx.cleanup();
  });

  it('the first build uploads, a build in a fresh output base is served from the remote cache', async () => {
    // Debian's bazel-bootstrap (Bazel 4.2) would download @rules_cc and @rules_java, which its own
    // tool BUILD files load; offline, the fixture's stand-ins that forward to the native rules do.
    const offline = ['rules_cc', 'rules_java'].map((r) => `--override_repository=${r}=${join(fx.dir, 'third_party', r)}`);
    const remote = [...offline, `--remote_cache=http://bazel:${TOKEN}@${srv.host}:${srv.port}`];
    const first = await bazel(bases[0]!, ['build', ...remote, '//:hello']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).not.toMatch(/remote cache hit/);
    const second = await bazel(bases[1]!, ['build', ...remote, '//:hello']);
    expect(second.exitCode, second.stderr).toBe(0);
    // Bazel's own summary: "INFO: N processes: K remote cache hit, …" — every compile and the link.
    const m = /(\d+) remote cache hit/.exec(second.stderr);
    expect(m, second.stderr).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(3);
    expect(second.stderr).not.toMatch(/\d+ linux-sandbox|\d+ local\b|\d+ processwrapper-sandbox/);
    const out = await execa(join(bases[1]!, 'execroot/fester_bazel_fixture/bazel-out/k8-fastbuild/bin/hello'));
    expect(out.stdout).toBe('hello from bazel');
  });
});
