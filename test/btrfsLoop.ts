import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/**
 * A fresh Btrfs filesystem on a loop device, mounted at `mountAt` (or a temp dir): `truncate` an image, `mkfs.btrfs`, attach it
 * with `losetup` and mount it. `cleanup()` unmounts (lazily if something still holds it),
 * detaches the loop device and removes the image, and is safe to call after a failure
 * half-way through setup. Needs root (CI runs as root).
 */
export async function btrfsLoop(mountAt?: string, size = '256M'): Promise<{ mnt: string; cleanup(): Promise<void> }> {
  const base = mkdtempSync(join(tmpdir(), 'fester-btrfs-'));
  const img = join(base, 'fs.img');
  const mnt = mountAt ?? join(base, 'mnt');
  mkdirSync(mnt, { recursive: true });
  let dev: string | undefined;
  let mounted = false;
  const cleanup = async () => {
    if (mounted) {
      const r = await execa('umount', [mnt], { reject: false });
      if (r.exitCode !== 0) await execa('umount', ['-l', mnt], { reject: false });
    }
    if (dev) await execa('losetup', ['-d', dev], { reject: false });
    rmSync(base, { recursive: true, force: true });
  };
  try {
    await execa('truncate', ['-s', size, img]);
    await execa('mkfs.btrfs', ['-q', img]);
    dev = (await execa('losetup', ['--find', '--show', img])).stdout.trim();
    await execa('mount', [dev, mnt]);
    mounted = true;
  } catch (e) {
    await cleanup();
    throw e;
  }
  return { mnt, cleanup };
}
