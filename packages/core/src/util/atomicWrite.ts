import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeDirSync } from './makeDir.js';

let counter = 0;

/** Write a file so readers see the old content or the new, never a part (temp + rename). */
export function atomicWriteSync(path: string, data: Buffer | string, mode?: number): void {
  makeDirSync(dirname(path));
  const tmp = `${path}.fester-tmp-${process.pid}-${++counter}`;
  try {
    writeFileSync(tmp, data);
    if (mode !== undefined) chmodSync(tmp, mode);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
