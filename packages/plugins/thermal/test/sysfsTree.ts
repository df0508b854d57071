import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A generated sysfs root, laid out like the kernel's: `class/thermal/thermal_zoneN/{type,temp}`
 * and `class/hwmon/hwmonN/{name,tempK_input,tempK_label}`, values in millidegrees. `set`
 * rewrites a value as a cooling or heating machine would.
 */
export function sysfsTree() {
  const root = mkdtempSync(join(tmpdir(), 'fester-sysfs-'));
  return {
    root,
    zone(n: number, type: string, value: string | number) {
      const dir = join(root, 'class', 'thermal', `thermal_zone${n}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'type'), `${type}\n`);
      writeFileSync(join(dir, 'temp'), `${value}\n`);
      return this;
    },
    hwmon(n: number, name: string, inputs: Record<number, { value: string | number; label?: string }>) {
      const dir = join(root, 'class', 'hwmon', `hwmon${n}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'name'), `${name}\n`);
      for (const [k, v] of Object.entries(inputs)) {
        writeFileSync(join(dir, `temp${k}_input`), `${v.value}\n`);
        if (v.label) writeFileSync(join(dir, `temp${k}_label`), `${v.label}\n`);
      }
      return this;
    },
  };
}
