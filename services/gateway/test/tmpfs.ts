/**
 * A real small filesystem for disk-full tests: a tmpfs mounted by the test (root only).
 * `canMountTmpfs` says whether this machine allows it, so those tests skip with a reason.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Mounts a tmpfs of `bytes` at `path`; false when this machine cannot (not root, no mount). */
export function mountTmpfs(path: string, bytes: number): boolean {
  mkdirSync(path, { recursive: true });
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', path], { stdio: 'ignore' }).status === 0;
}

export function unmount(path: string): void {
  // Lazy: LMDB may still map the file for a moment after close.
  spawnSync('umount', ['-l', path], { stdio: 'ignore' });
}

function probe(): boolean {
  const path = join(tmpdir(), `cairn-tmpfs-probe-${process.pid}-${Date.now()}`);
  const mounted = mountTmpfs(path, 1024 * 1024);
  if (mounted) unmount(path);
  rmSync(path, { recursive: true, force: true });
  return mounted;
}

export const canMountTmpfs = probe();
