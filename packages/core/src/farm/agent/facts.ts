import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { arch, availableParallelism, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { TempReading } from '../../types.js';

/**
 * What an agent tells the coordinator about its machine. Schedulers weigh nodes by these
 * facts (a VM's cores are worth less than a physical machine's, a hot node is avoided), so
 * each reading is best effort: a node with a broken sensor must still join the farm.
 */

export type NodeKind = 'physical' | 'vm' | 'container';

export interface KindDetection {
  kind: NodeKind;
  /** How it was decided, for the start-up log line. */
  how: string;
}

export interface KindProbeOptions {
  /** `systemd-detect-virt` to run; false skips it (tests of the fallbacks). */
  detectVirt?: string | false;
  /** Root of the filesystem the fallbacks read (`/.dockerenv`, `/proc/1/cgroup`, …). */
  fsRoot?: string;
}

/** Container runtimes leave their name in PID 1's cgroup path. */
const CGROUP_MARKERS = /docker|containerd|kubepods|libpod|lxc|podman|garden|crio/;

async function detectVirt(bin: string, flag: '--container' | '--vm'): Promise<string | undefined> {
  const { execa } = await import('execa');
  const r = await execa(bin, [flag], { reject: false, timeout: 5000 });
  // Exit 0 with a name: detected. Exit 1 with `none`: certainly not. Anything else: unknown.
  const out = String(r.stdout ?? '').trim();
  if (r.failed && r.exitCode === undefined) return undefined;
  if (r.exitCode === 0 && out && out !== 'none') return out;
  if (out === 'none') return 'none';
  return undefined;
}

function readText(p: string): string | undefined {
  try { return readFileSync(p, 'utf8'); } catch { return undefined; }
}

/**
 * physical, vm or container. A container is reported as a container even on a VM host:
 * what matters to a scheduler is that its cores and memory are shared and capped.
 */
export async function detectKind(opts: KindProbeOptions = {}): Promise<KindDetection> {
  const bin = opts.detectVirt ?? 'systemd-detect-virt';
  if (bin !== false) {
    const container = await detectVirt(bin, '--container');
    if (container && container !== 'none') return { kind: 'container', how: `systemd-detect-virt: ${container}` };
    const vm = await detectVirt(bin, '--vm');
    if (vm && vm !== 'none') return { kind: 'vm', how: `systemd-detect-virt: ${vm}` };
    if (container === 'none' && vm === 'none') return { kind: 'physical', how: 'systemd-detect-virt: none' };
  }
  // No systemd (typical inside containers): the markers runtimes leave behind.
  const root = opts.fsRoot ?? '/';
  if (existsSync(join(root, '.dockerenv'))) return { kind: 'container', how: '/.dockerenv' };
  if (existsSync(join(root, 'run/.containerenv'))) return { kind: 'container', how: '/run/.containerenv' };
  const cgroup = readText(join(root, 'proc/1/cgroup')) ?? '';
  const marker = CGROUP_MARKERS.exec(cgroup);
  if (marker) return { kind: 'container', how: `/proc/1/cgroup mentions ${marker[0]}` };
  const cpuinfo = readText(join(root, 'proc/cpuinfo')) ?? '';
  if (/^flags\s*:.*\bhypervisor\b/m.test(cpuinfo)) return { kind: 'vm', how: '/proc/cpuinfo hypervisor flag' };
  return { kind: 'physical', how: 'no virtualisation marker' };
}

/** Node's arch names → the names target triples use. */
export function machineArch(nodeArch: string = arch()): string {
  const names: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', riscv64: 'riscv64', ia32: 'i686', arm: 'armv7l' };
  return names[nodeArch] ?? nodeArch;
}

export interface MachineFacts {
  arch: string;
  cores: number;
  memoryBytes: number;
  /** 1-minute load average. */
  load: number;
}

export function machineFacts(): MachineFacts {
  return { arch: machineArch(), cores: availableParallelism(), memoryBytes: totalmem(), load: currentLoad() };
}

export function currentLoad(): number {
  return Math.max(0, loadavg()[0] ?? 0);
}

export interface SensorProblem {
  path: string;
  message: string;
}

export interface TempScan {
  temps: TempReading[];
  problems: SensorProblem[];
}

/** Beyond this a reading is a broken sensor (disconnected probes report -273 or 255). */
const PLAUSIBLE_C = { min: -55, max: 200 };

function list(dir: string): string[] {
  try { return readdirSync(dir).sort(naturalOrder); } catch { return []; }
}

function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** One millidegree file → °C, or a problem. Never throws: sysfs reads fail with EIO/ENODATA. */
function readMilli(path: string, problems: SensorProblem[]): number | undefined {
  let text: string;
  try { text = readFileSync(path, 'utf8').trim(); } catch (e) {
    problems.push({ path, message: `unreadable: ${(e as NodeJS.ErrnoException).code ?? String(e)}` });
    return undefined;
  }
  if (!/^-?\d+$/.test(text)) {
    problems.push({ path, message: `not a number: ${JSON.stringify(text.slice(0, 40))}` });
    return undefined;
  }
  const c = Number(text) / 1000;
  if (c < PLAUSIBLE_C.min || c > PLAUSIBLE_C.max) {
    problems.push({ path, message: `implausible ${c} °C` });
    return undefined;
  }
  return c;
}

function name(path: string): string | undefined {
  const t = readText(path)?.trim();
  return t ? t : undefined;
}

/**
 * Temperatures under a sysfs root (default `/sys`): thermal zones (named by their `type`)
 * and hwmon sensors (`<chip name>/<label or tempN>`). A missing root or class folder means
 * no sensors; an unreadable or nonsensical file is skipped and listed in `problems`.
 */
export function readTemps(sysfsRoot = '/sys'): TempScan {
  const temps: TempReading[] = [];
  const problems: SensorProblem[] = [];
  if (!existsSync(sysfsRoot)) return { temps, problems: [{ path: sysfsRoot, message: 'sysfs root does not exist' }] };
  const seen = new Set<string>();
  // Two zones of the same type (two `acpitz`) stay apart by their zone folder.
  const add = (sensor: string, fallback: string, celsius: number) => {
    const s = seen.has(sensor) ? `${sensor}@${fallback}` : sensor;
    seen.add(s);
    temps.push({ sensor: s, celsius });
  };

  const thermal = join(sysfsRoot, 'class/thermal');
  for (const zone of list(thermal).filter((z) => z.startsWith('thermal_zone'))) {
    const c = readMilli(join(thermal, zone, 'temp'), problems);
    if (c !== undefined) add(name(join(thermal, zone, 'type')) ?? zone, zone, c);
  }

  const hwmon = join(sysfsRoot, 'class/hwmon');
  for (const chip of list(hwmon).filter((h) => h.startsWith('hwmon'))) {
    const dir = join(hwmon, chip);
    const chipName = name(join(dir, 'name')) ?? chip;
    for (const f of list(dir)) {
      const m = /^temp(\d+)_input$/.exec(f);
      if (!m) continue;
      const c = readMilli(join(dir, f), problems);
      if (c === undefined) continue;
      const label = name(join(dir, `temp${m[1]}_label`)) ?? `temp${m[1]}`;
      add(`${chipName}/${label}`, chip, c);
    }
  }
  return { temps, problems };
}
