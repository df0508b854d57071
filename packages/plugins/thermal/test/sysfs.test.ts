import { describe, expect, it } from 'vitest';
import { hottest, readSysfsTemps } from '../src/index.js';
import { sysfsTree } from './sysfsTree.js';

describe('readSysfsTemps', () => {
  it('reads thermal zones and hwmon inputs in millidegrees, named by zone type and chip label', () => {
    const t = sysfsTree().zone(0, 'x86_pkg_temp', 45000).zone(10, 'acpitz', 38500).hwmon(1, 'coretemp', { 1: { value: 52000, label: 'Core 0' }, 2: { value: 51000 } });
    const scan = readSysfsTemps(t.root);
    expect(scan.rootMissing).toBe(false);
    expect(scan.problems).toEqual([]);
    expect(scan.readings).toEqual([
      { sensor: 'thermal_zone0:x86_pkg_temp', celsius: 45 },
      { sensor: 'thermal_zone10:acpitz', celsius: 38.5 },
      { sensor: 'hwmon1:coretemp:Core 0', celsius: 52 },
      { sensor: 'hwmon1:coretemp:temp2', celsius: 51 },
    ]);
    expect(hottest(scan.readings)).toEqual({ sensor: 'hwmon1:coretemp:Core 0', celsius: 52 });
  });

  it('reports garbage and out-of-range values as problems, never as heat', () => {
    const t = sysfsTree().zone(0, 'soc', 'garbage').hwmon(0, 'nct6775', { 1: { value: -128000 }, 2: { value: 47000 } });
    const scan = readSysfsTemps(t.root);
    expect(scan.readings).toEqual([{ sensor: 'hwmon0:nct6775:temp2', celsius: 47 }]);
    expect(scan.problems.map((p) => [p.sensor, p.raw])).toEqual([['thermal_zone0:soc', 'garbage'], ['hwmon0:nct6775:temp1', '-128000']]);
    expect(scan.problems[0]!.path).toBe(`${t.root}/class/thermal/thermal_zone0/temp`);
  });

  it('says when the root itself does not exist', () => {
    expect(readSysfsTemps('/nonexistent/sys')).toEqual({ readings: [], problems: [], rootMissing: true });
  });
});
