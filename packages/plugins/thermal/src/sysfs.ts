import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TempReading } from '@fester/core';

/** A sensor whose value could not be used; the node is not considered hot because of it. */
export interface SensorProblem {
  sensor: string;
  path: string;
  /** What the file held (cut short), or the read error. */
  raw: string;
  message: string;
}

export interface SysfsScan {
  readings: TempReading[];
  problems: SensorProblem[];
  /** The root itself does not exist (a wrong `sysfsRoot`): no sensor could be looked for. */
  rootMissing: boolean;
}

/**
 * Plausible range for a die or board temperature. A value outside it is a driver returning an
 * error code or an unconnected input (hwmon chips report −128 °C or 127 °C for those), not heat.
 */
const MIN_C = -40;
const MAX_C = 150;

/** Natural order (thermal_zone2 before thermal_zone10) so scans, warnings and journals are stable. */
const natural = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

function list(dir: string, pattern: RegExp): string[] {
  try { return readdirSync(dir).filter((n) => pattern.test(n)).sort(natural); } catch { return []; }
}

function readText(path: string): string | undefined {
  try { return readFileSync(path, 'utf8').trim(); } catch { return undefined; }
}

/** Millidegrees Celsius as the kernel writes them (`45000` = 45 °C) → °C, or a problem. */
function parseMilli(sensor: string, path: string, out: SysfsScan): void {
  let text: string;
  try { text = readFileSync(path, 'utf8').trim(); } catch (e) {
    // EIO/ENODATA are what a sensor with a broken link or a sleeping device returns on read.
    out.problems.push({ sensor, path, raw: (e as NodeJS.ErrnoException).code ?? String(e), message: `cannot read ${path}: ${(e as Error).message}` });
    return;
  }
  const celsius = /^-?\d+$/.test(text) ? Number(text) / 1000 : Number.NaN;
  if (!Number.isFinite(celsius) || celsius < MIN_C || celsius > MAX_C) {
    out.problems.push({ sensor, path, raw: text.slice(0, 40), message: `sensor ${sensor} reads ${JSON.stringify(text.slice(0, 40))}, not a temperature in millidegrees between ${MIN_C * 1000} and ${MAX_C * 1000}` });
    return;
  }
  out.readings.push({ sensor, celsius });
}

/**
 * Every temperature under a sysfs root, the way node_exporter reads them (`--path.sysfs`):
 * `class/thermal/thermal_zone*∕temp` (named by the zone's `type`) and
 * `class/hwmon/hwmon*∕temp*_input` (named by the chip's `name` and the input's `_label`).
 * Tests point the root at generated files; the agent and the local node use /sys.
 */
export function readSysfsTemps(root: string): SysfsScan {
  const out: SysfsScan = { readings: [], problems: [], rootMissing: !existsSync(root) };
  if (out.rootMissing) return out;
  const thermal = join(root, 'class', 'thermal');
  for (const zone of list(thermal, /^thermal_zone\d+$/)) {
    const dir = join(thermal, zone);
    if (!existsSync(join(dir, 'temp'))) continue;
    const type = readText(join(dir, 'type'));
    parseMilli(type ? `${zone}:${type}` : zone, join(dir, 'temp'), out);
  }
  const hwmon = join(root, 'class', 'hwmon');
  for (const chip of list(hwmon, /^hwmon\d+$/)) {
    const dir = join(hwmon, chip);
    const name = readText(join(dir, 'name')) ?? chip;
    for (const input of list(dir, /^temp\d+_input$/)) {
      const label = readText(join(dir, input.replace('_input', '_label')));
      parseMilli(`${chip}:${name}:${label ?? input.replace('_input', '')}`, join(dir, input), out);
    }
  }
  return out;
}

/** The hottest valid reading: the one a throttle decision is about. */
export function hottest(readings: readonly TempReading[]): TempReading | undefined {
  let best: TempReading | undefined;
  for (const r of readings) {
    if (!Number.isFinite(r.celsius) || r.celsius < MIN_C || r.celsius > MAX_C) continue;
    if (!best || r.celsius > best.celsius) best = r;
  }
  return best;
}

/** Readings an agent reported that are not temperatures (NaN, out of range): flagged, never hot. */
export function badReadings(readings: readonly TempReading[]): TempReading[] {
  return readings.filter((r) => !Number.isFinite(r.celsius) || r.celsius < MIN_C || r.celsius > MAX_C);
}
