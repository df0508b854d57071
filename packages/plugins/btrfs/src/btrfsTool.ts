import { execFile } from 'node:child_process';
import { FesterError } from '@fester/core';

/**
 * Run `btrfs …` and return its stdout. A missing tool and a failing command are coded
 * errors (FE0902, FE0905) carrying the tool's own message: both are environment problems
 * the user can fix, never a stack trace.
 */
export function btrfs(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('btrfs', args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) { resolve(stdout); return; }
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new FesterError('FE0902', { message: 'btrfs tool not found on PATH' }));
        return;
      }
      const detail = (stderr || err.message).trim();
      reject(new FesterError('FE0905', { message: `btrfs ${args.join(' ')} failed: ${detail}` }));
    });
  });
}

/** A read-only snapshot of `src` at `dest` (same filesystem). */
export const snapshotReadOnly = (src: string, dest: string) => btrfs(['subvolume', 'snapshot', '-r', src, dest]);
/** A writable snapshot (restore, verify scratch). */
export const snapshotWritable = (src: string, dest: string) => btrfs(['subvolume', 'snapshot', src, dest]);
export const deleteSubvolume = (path: string) => btrfs(['subvolume', 'delete', path]);
export const createSubvolume = (path: string) => btrfs(['subvolume', 'create', path]);
