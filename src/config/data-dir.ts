import type { Stats } from 'node:fs';

/**
 * Why an existing directory is unsafe as the bridge's data dir (`bridge.data_dir`), or undefined: it must be
 * this user's own directory, not a symlink and writable by no one else, or another user could point it, or a
 * file in it, at a file of ours (as root: any file) that SQLite would overwrite. `stat` is an lstat. Shared by
 * the store, which refuses to open, and the preflight, so `check-config` and a reload say the same.
 */
export function unsafeDataDir(stat: Stats): string | undefined {
  if (stat.isSymbolicLink()) return 'is a symbolic link';
  if (!stat.isDirectory()) return 'is not a directory';
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) return `is owned by uid ${stat.uid}, not by this user (uid ${uid})`;
  if ((stat.mode & 0o022) !== 0) return `is writable by its group or by everyone (mode ${(stat.mode & 0o777).toString(8)}; chmod 700 it)`;
  return undefined;
}
