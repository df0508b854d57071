import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** statfs f_type of Btrfs (linux/magic.h). */
const BTRFS_MAGIC = 0x9123683e;
/** Every Btrfs subvolume root has this inode number (BTRFS_FIRST_FREE_OBJECTID). */
const SUBVOLUME_ROOT_INO = 256;

export type OutDirKind =
  | { kind: 'subvolume'; path: string }
  | { kind: 'missing'; parentOnBtrfs: boolean; fsType: string }
  | { kind: 'not-btrfs'; fsType: string }
  | { kind: 'not-subvolume'; path: string };

/**
 * What the out dir is, by statfs and inode number: no process spawned, so it is cheap to
 * ask on every build. The real path is used because the out dir may be a symlink onto a
 * Btrfs mount.
 */
export function inspectOutDir(outDir: string): OutDirKind {
  if (!existsSync(outDir)) {
    const parent = nearestExisting(dirname(outDir));
    return { kind: 'missing', parentOnBtrfs: isBtrfs(parent), fsType: fsTypeName(parent) };
  }
  const path = realpathSync(outDir);
  if (!isBtrfs(path)) return { kind: 'not-btrfs', fsType: fsTypeName(path) };
  return statSync(path).ino === SUBVOLUME_ROOT_INO ? { kind: 'subvolume', path } : { kind: 'not-subvolume', path };
}

export function isBtrfs(path: string): boolean {
  try { return statfsSync(path).type === BTRFS_MAGIC; } catch { return false; }
}

/** `stat -f -c %T`, for a message a user recognises (ext4, tmpfs, overlayfs…). */
function fsTypeName(path: string): string {
  try {
    return execFileSync('stat', ['-f', '-c', '%T', path], { encoding: 'utf8' }).trim();
  } catch {
    return `0x${statfsSync(path).type.toString(16)}`;
  }
}

function nearestExisting(p: string): string {
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}
