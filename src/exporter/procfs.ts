import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface HostPaths {
  /** Where the host's /proc is mounted (`/host/proc` in a container). */
  readonly procfs: string;
  /** Where the host's / is mounted; mount points read from procfs are resolved under it. */
  readonly rootfs: string;
}

export const DEFAULT_HOST_PATHS: HostPaths = { procfs: '/proc', rootfs: '/' };

/**
 * Per-scrape file access for collectors. Several collectors read the same kernel file (cpu and stat
 * both parse /proc/stat); the memo makes each file one read per scrape, and a new scrape gets a new
 * reader so nothing is ever served stale.
 */
export class ProcReader {
  private readonly memo = new Map<string, Promise<string>>();

  constructor(readonly paths: HostPaths = DEFAULT_HOST_PATHS) {}

  /** Reads `<procfs>/<relative>`; rejects with the fs error (ENOENT when the kernel lacks it). */
  proc(relative: string): Promise<string> {
    return this.read(path.join(this.paths.procfs, relative));
  }

  /** Maps a mount point as the host sees it to the path this process can reach it by. */
  hostPath(mountPoint: string): string {
    return this.paths.rootfs === '/' ? mountPoint : path.join(this.paths.rootfs, mountPoint);
  }

  /**
   * Synchronous on purpose: /proc and /sys files are generated in memory by the kernel and answer in
   * microseconds, while an async read costs four threadpool hand-offs (open, fstat, read, close) that
   * dominated scrape time and its tail. prom-client reads /proc/self the same way. statfs, which can
   * block on a dead network mount, stays asynchronous in the filesystem collector.
   */
  private read(file: string): Promise<string> {
    let pending = this.memo.get(file);
    if (pending === undefined) {
      try {
        pending = Promise.resolve(readFileSync(file, 'utf8'));
      } catch (error) {
        pending = Promise.reject(error);
        pending.catch(() => {}); // memoised; each caller awaits and handles it
      }
      this.memo.set(file, pending);
    }
    return pending;
  }
}

/** True for the errors that mean "this kernel or platform does not have it", not a failure. */
export function isMissingFile(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTSUP' || code === 'EOPNOTSUPP';
}
