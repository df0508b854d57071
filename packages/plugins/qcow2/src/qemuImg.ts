import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { FesterError } from '@fester/core';

export interface RunResult { code: number; stdout: string; stderr: string }

/**
 * Run `qemu-img …`. A missing binary is FE0906 (environment); a non-zero exit is FE0905 with
 * qemu-img's own message unless `allow` lists the exit code (compare: 1 = images differ).
 */
export function qemuImg(args: string[], allow: number[] = []): Promise<RunResult> {
  const bin = process.env.FESTER_QEMU_IMG ?? 'qemu-img';
  return new Promise((resolve, reject) => {
    execFile(bin, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new FesterError('FE0906', { message: `qemu-img not found (looked for "${bin}" on PATH)` }));
        return;
      }
      if (code !== 0 && !allow.includes(code)) {
        reject(new FesterError('FE0905', { message: `qemu-img ${args[0]} failed: ${(stderr || String(err?.message)).trim()}`, hint: 'see qemu-img\'s message; a running VM may hold the image (stop it or snapshot through the agent)' }));
        return;
      }
      resolve({ code, stdout, stderr });
    });
  });
}

export interface SnapshotInfo { id: string; name: string; vmSize: number; date: string; dateSec: number }
export interface ImageInfo { format: string; virtualSize: number; actualSize: number; backing?: string; backingFormat?: string; snapshots: SnapshotInfo[] }

interface RawInfo {
  format: string; 'virtual-size': number; 'actual-size': number; 'backing-filename'?: string; 'backing-filename-format'?: string;
  snapshots?: { id: string; name: string; 'vm-state-size': number; 'date-sec': number }[];
}

/** `qemu-img info --output=json` (with -U: the VM may be running; reading is safe). */
export async function imageInfo(path: string): Promise<ImageInfo> {
  if (!existsSync(path)) throw new FesterError('FE0911', { message: `disk image not found: ${path}` });
  const { stdout } = await qemuImg(['info', '-U', '--output=json', path]);
  const r = JSON.parse(stdout) as RawInfo;
  return {
    format: r.format,
    virtualSize: r['virtual-size'],
    actualSize: r['actual-size'],
    ...(r['backing-filename'] ? { backing: r['backing-filename'], backingFormat: r['backing-filename-format'] ?? 'qcow2' } : {}),
    snapshots: (r.snapshots ?? []).map((s) => ({ id: s.id, name: s.name, vmSize: s['vm-state-size'], dateSec: s['date-sec'], date: new Date(s['date-sec'] * 1000).toISOString() })),
  };
}

/** The image's info, or FE0907 naming the format it really has (internal snapshots are qcow2-only). */
export async function requireQcow2(path: string): Promise<ImageInfo> {
  const info = await imageInfo(path);
  if (info.format !== 'qcow2') throw new FesterError('FE0907', { message: `${path} is a ${info.format} image, not qcow2` });
  return info;
}
