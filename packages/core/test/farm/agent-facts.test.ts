import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectKind, machineArch, readTemps } from '../../src/farm/agent/facts.js';

let dirs: string[] = [];
function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'fester-agent-facts-'));
  dirs.push(d);
  return d;
}
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

/** Write a tree of files: { 'a/b': 'text' }. */
function tree(root: string, files: Record<string, string>): string {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

describe('readTemps', () => {
  it('reads thermal zones by type and hwmon sensors by chip name and label', () => {
    const root = tree(scratch(), {
      'class/thermal/thermal_zone0/type': 'x86_pkg_temp\n',
      'class/thermal/thermal_zone0/temp': '45000\n',
      'class/thermal/thermal_zone1/type': 'acpitz\n',
      'class/thermal/thermal_zone1/temp': '38500\n',
      'class/thermal/thermal_zone2/type': 'acpitz\n',
      'class/thermal/thermal_zone2/temp': '40000\n',
      'class/thermal/cooling_device0/type': 'Processor\n',
      'class/hwmon/hwmon0/name': 'coretemp\n',
      'class/hwmon/hwmon0/temp1_input': '50000\n',
      'class/hwmon/hwmon0/temp1_label': 'Package id 0\n',
      'class/hwmon/hwmon0/temp2_input': '51000\n',
      'class/hwmon/hwmon0/temp2_max': '100000\n',
      'class/hwmon/hwmon1/temp1_input': '-5000\n',
    });
    const { temps, problems } = readTemps(root);
    expect(problems).toEqual([]);
    expect(temps).toEqual([
      { sensor: 'x86_pkg_temp', celsius: 45 },
      { sensor: 'acpitz', celsius: 38.5 },
      { sensor: 'acpitz@thermal_zone2', celsius: 40 },
      { sensor: 'coretemp/Package id 0', celsius: 50 },
      { sensor: 'coretemp/temp2', celsius: 51 },
      { sensor: 'hwmon1/temp1', celsius: -5 },
    ]);
  });

  it('a missing root is one problem and no readings, never an exception', () => {
    const { temps, problems } = readTemps(join(scratch(), 'no-such-sys'));
    expect(temps).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/does not exist/);
  });

  it('a root without thermal or hwmon classes has no readings and no problems', () => {
    expect(readTemps(scratch())).toEqual({ temps: [], problems: [] });
  });

  it('skips garbage, empty, implausible and unreadable files and lists each', () => {
    const root = tree(scratch(), {
      'class/thermal/thermal_zone0/type': 'good\n',
      'class/thermal/thermal_zone0/temp': '42000\n',
      'class/thermal/thermal_zone1/type': 'garbage\n',
      'class/thermal/thermal_zone1/temp': 'hot!\n',
      'class/thermal/thermal_zone2/temp': '',
      'class/thermal/thermal_zone3/temp': '999999999\n',
      'class/hwmon/hwmon0/name': 'nvme\n',
      'class/hwmon/hwmon0/temp1_input': '-273150\n',
      'class/hwmon/hwmon0/temp2_input': '33000\n',
    });
    // A folder where a file should be: reading it fails with EISDIR.
    mkdirSync(join(root, 'class/thermal/thermal_zone4/temp'), { recursive: true });
    // No type file: the zone folder names the sensor.
    const { temps, problems } = readTemps(root);
    expect(temps).toEqual([{ sensor: 'good', celsius: 42 }, { sensor: 'nvme/temp2', celsius: 33 }]);
    const byPath = Object.fromEntries(problems.map((p) => [p.path.slice(root.length + 1), p.message]));
    expect(byPath).toEqual({
      'class/thermal/thermal_zone1/temp': expect.stringMatching(/not a number/),
      'class/thermal/thermal_zone2/temp': expect.stringMatching(/not a number/),
      'class/thermal/thermal_zone3/temp': expect.stringMatching(/implausible/),
      'class/thermal/thermal_zone4/temp': expect.stringMatching(/unreadable: EISDIR/),
      'class/hwmon/hwmon0/temp1_input': expect.stringMatching(/implausible/),
    });
  });

  it('names a zone by its folder when it has no type file', () => {
    const root = tree(scratch(), { 'class/thermal/thermal_zone7/temp': '30000' });
    expect(readTemps(root).temps).toEqual([{ sensor: 'thermal_zone7', celsius: 30 }]);
  });
});

/** A stand-in for systemd-detect-virt answering --container and --vm as given. */
function fakeDetectVirt(container: string, vm: string): string {
  const p = join(scratch(), 'systemd-detect-virt');
  const answer = (v: string) => `echo ${v}; [ "${v}" = none ] && exit 1; exit 0`;
  writeFileSync(p, `#!/bin/sh\nif [ "$1" = --container ]; then ${answer(container)}; fi\nif [ "$1" = --vm ]; then ${answer(vm)}; fi\nexit 2\n`);
  chmodSync(p, 0o755);
  return p;
}

describe('detectKind', () => {
  const empty = () => scratch();
  it('systemd-detect-virt: none/none is physical, a VM is vm, a container wins over a VM', async () => {
    expect((await detectKind({ detectVirt: fakeDetectVirt('none', 'none'), fsRoot: empty() })).kind).toBe('physical');
    expect(await detectKind({ detectVirt: fakeDetectVirt('none', 'kvm'), fsRoot: empty() })).toEqual({ kind: 'vm', how: 'systemd-detect-virt: kvm' });
    expect(await detectKind({ detectVirt: fakeDetectVirt('docker', 'kvm'), fsRoot: empty() })).toEqual({ kind: 'container', how: 'systemd-detect-virt: docker' });
  });

  it('falls back to container markers and the cpuinfo hypervisor flag', async () => {
    const missing = join(scratch(), 'no-detect-virt');
    expect((await detectKind({ detectVirt: missing, fsRoot: tree(scratch(), { '.dockerenv': '' }) })).kind).toBe('container');
    expect((await detectKind({ detectVirt: false, fsRoot: tree(scratch(), { 'run/.containerenv': '' }) })).kind).toBe('container');
    expect(await detectKind({ detectVirt: false, fsRoot: tree(scratch(), { 'proc/1/cgroup': '0::/system.slice/containerd.service/kubepods-abc\n' }) }))
      .toEqual({ kind: 'container', how: '/proc/1/cgroup mentions containerd' });
    const vm = tree(scratch(), { 'proc/1/cgroup': '0::/\n', 'proc/cpuinfo': 'processor\t: 0\nflags\t\t: fpu vme sse2 hypervisor lahf_lm\n' });
    expect((await detectKind({ detectVirt: false, fsRoot: vm })).kind).toBe('vm');
    const metal = tree(scratch(), { 'proc/1/cgroup': '0::/init.scope\n', 'proc/cpuinfo': 'flags\t\t: fpu vme sse2\n' });
    expect(await detectKind({ detectVirt: false, fsRoot: metal })).toEqual({ kind: 'physical', how: 'no virtualisation marker' });
  });

  it('an inconclusive systemd-detect-virt (exit 2, no answer) uses the fallbacks', async () => {
    const broken = join(scratch(), 'sdv');
    writeFileSync(broken, '#!/bin/sh\necho "Failed to check" >&2\nexit 2\n');
    chmodSync(broken, 0o755);
    expect((await detectKind({ detectVirt: broken, fsRoot: tree(scratch(), { '.dockerenv': '' }) })).kind).toBe('container');
  });
});

describe('machineArch', () => {
  it('uses the names target triples use', () => {
    expect(machineArch('x64')).toBe('x86_64');
    expect(machineArch('arm64')).toBe('aarch64');
    expect(machineArch('riscv64')).toBe('riscv64');
    expect(machineArch('s390x')).toBe('s390x');
  });
});
