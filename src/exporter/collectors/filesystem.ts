// Reads the mount table from procfs and calls statfs(2) itself: systeminformation's fsSize() spawns df per call, and df blocks on a dead network mount.
import { promises as fsPromises, type StatsFs } from 'node:fs';
import type { Logger } from 'pino';
import { regex } from '../../config/schema-types.js';
import type { Collector, ScrapeContext } from '../collector.js';
import { defineCollector, type CollectorConfig } from '../collector-definition.js';
import { gauge, sample, type Labels, type MetricFamily, type Sample } from '../metric-family.js';
import { isMissingFile, type ProcReader } from '../procfs.js';
import { fields, lines, nonEmpty } from './parse.js';

/** statfs(2) as fs.promises has it; injectable so tests can play a mount that never answers. */
export type StatFs = (path: string) => Promise<StatsFs>;

/**
 * Longest wait for one mount's statfs. A dead NFS or SMB server blocks it for minutes, and a call on
 * libuv's threadpool cannot be cancelled, so we stop waiting instead; half the collector timeout when that is shorter.
 */
const MAX_STATFS_WAIT_MS = 2000;

/** node_exporter's defaults: virtual and container-internal filesystems say nothing about disk space. */
const DEFAULT_MOUNT_POINTS_EXCLUDE = '^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)';
export const DEFAULT_FS_TYPES_EXCLUDE =
  '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$';

const OPTIONS = {
  mount_points_exclude: { schema: regex.default(DEFAULT_MOUNT_POINTS_EXCLUDE), flag: { kind: 'string', help: 'Regexp of mount points to exclude.' } },
  fs_types_exclude: { schema: regex.default(DEFAULT_FS_TYPES_EXCLUDE), flag: { kind: 'string', help: 'Regexp of filesystem types to exclude.' } },
} as const;

export interface Mount {
  readonly device: string;
  readonly mountPoint: string;
  readonly fsType: string;
  readonly readOnly: boolean;
}

/** The kernel escapes space, tab, newline and backslash in /proc/mounts as three octal digits (`\040`). */
function unescapeMountField(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** One entry per mount point: the last mount stacked on a point is the one statfs sees. */
export function parseMounts(text: string): Mount[] {
  const byMountPoint = new Map<string, Mount>();
  for (const line of lines(text)) {
    const [device, mountPoint, fsType, options] = fields(line);
    if (device === undefined || mountPoint === undefined || fsType === undefined || options === undefined) continue;
    const mount: Mount = {
      device: unescapeMountField(device),
      mountPoint: unescapeMountField(mountPoint),
      fsType,
      readOnly: options.split(',').includes('ro'),
    };
    byMountPoint.delete(mount.mountPoint);
    byMountPoint.set(mount.mountPoint, mount);
  }
  return [...byMountPoint.values()];
}

/**
 * PID 1's mount table is the host's when the host's /proc is mounted into a container; ours is the
 * fallback when it is hidden (absent, or forbidden under hidepid).
 */
async function readMountTable(files: ProcReader): Promise<string> {
  try {
    return await files.proc('1/mounts');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (isMissingFile(error) || code === 'EACCES' || code === 'EPERM') return files.proc('self/mounts');
    throw error;
  }
}

const TIMED_OUT = Symbol('timed out');

/** Waits for `work` at most `ms` or until `signal` aborts; the work itself carries on. */
function within<T>(work: Promise<T>, ms: number, signal: AbortSignal): Promise<T | typeof TIMED_OUT> {
  if (signal.aborted) return Promise.resolve(TIMED_OUT);
  return new Promise((resolve, reject) => {
    const stop = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', giveUp);
    };
    const giveUp = (): void => {
      stop();
      resolve(TIMED_OUT);
    };
    const timer = setTimeout(giveUp, ms);
    signal.addEventListener('abort', giveUp, { once: true });
    work.then(
      (value) => {
        stop();
        resolve(value);
      },
      (error: unknown) => {
        stop();
        reject(error);
      },
    );
  });
}

type Key = 'size' | 'avail' | 'free' | 'files' | 'files_free' | 'readonly' | 'device_error';

const FAMILIES: ReadonlyArray<readonly [Key, string, string]> = [
  ['size', 'ide_host_filesystem_size_bytes', 'Size of the filesystem, in bytes.'],
  ['avail', 'ide_host_filesystem_avail_bytes', 'Space available to unprivileged users, in bytes.'],
  ['free', 'ide_host_filesystem_free_bytes', 'Free space including the blocks reserved for root, in bytes.'],
  ['files', 'ide_host_filesystem_files', 'Inodes the filesystem has, in inodes.'],
  ['files_free', 'ide_host_filesystem_files_free', 'Inodes not in use, in inodes.'],
  ['readonly', 'ide_host_filesystem_readonly', 'Whether the filesystem is mounted read-only (1) or not (0).'],
  [
    'device_error',
    'ide_host_filesystem_device_error',
    'Whether statfs on the filesystem failed or did not answer in time (1) or succeeded (0); its sizes are omitted on error.',
  ],
];

/** The samples of one mount; sizes only when statfs answered. */
function mountSamples(mount: Mount, stats: StatsFs | undefined): Array<readonly [Key, Sample]> {
  const labels: Labels = { device: mount.device, mountpoint: mount.mountPoint, fstype: mount.fsType };
  const flags: Array<readonly [Key, Sample]> = [
    ['readonly', sample(mount.readOnly ? 1 : 0, labels)],
    ['device_error', sample(stats === undefined ? 1 : 0, labels)],
  ];
  if (stats === undefined) return flags;
  return [
    ['size', sample(stats.blocks * stats.bsize, labels)],
    ['avail', sample(stats.bavail * stats.bsize, labels)],
    ['free', sample(stats.bfree * stats.bsize, labels)],
    ['files', sample(stats.files, labels)],
    ['files_free', sample(stats.ffree, labels)],
    ...flags,
  ];
}

export function createFilesystemCollector(
  config: CollectorConfig<'filesystem', typeof OPTIONS>,
  logger: Logger,
  statfs: StatFs = (path) => fsPromises.statfs(path),
): Collector {
  const mountPointsExclude = new RegExp(config.filesystem.mount_points_exclude);
  const fsTypesExclude = new RegExp(config.filesystem.fs_types_exclude);
  const waitMs = Math.min(config.timeout / 2, MAX_STATFS_WAIT_MS);
  /** Mount points whose statfs has not returned: each holds a threadpool thread, so we never add another. */
  const inFlight = new Set<string>();
  /** Mount points whose statfs overran its wait and is still out: logged once per stall. */
  const stalled = new Set<string>();

  async function probe(mount: Mount, path: string, signal: AbortSignal): Promise<StatsFs | undefined> {
    const { mountPoint } = mount;
    if (inFlight.has(mountPoint)) return undefined;
    inFlight.add(mountPoint);
    const call = statfs(path);
    const settled = (): void => {
      inFlight.delete(mountPoint);
      if (stalled.delete(mountPoint)) logger.info({ mountpoint: mountPoint }, 'statfs on a stalled filesystem returned');
    };
    call.then(settled, settled);
    try {
      const result = await within(call, waitMs, signal);
      if (result !== TIMED_OUT) return result;
      if (inFlight.has(mountPoint) && !stalled.has(mountPoint)) {
        stalled.add(mountPoint);
        logger.warn(
          { mountpoint: mountPoint, device: mount.device, fstype: mount.fsType, wait_ms: waitMs },
          'statfs did not answer in time; reporting the filesystem as a device error until it does',
        );
      }
    } catch (error) {
      logger.debug({ mountpoint: mountPoint, err: error }, 'statfs failed');
    }
    return undefined;
  }

  return {
    name: 'filesystem',
    async collect(ctx: ScrapeContext): Promise<MetricFamily[]> {
      const mounts = parseMounts(await readMountTable(ctx.files)).filter((m) => !mountPointsExclude.test(m.mountPoint) && !fsTypesExclude.test(m.fsType));
      const stats = await Promise.all(mounts.map((m) => probe(m, ctx.files.hostPath(m.mountPoint), ctx.signal)));
      const samples = new Map<Key, Sample[]>(FAMILIES.map(([key]) => [key, []]));
      mounts.forEach((mount, i) => {
        for (const [key, s] of mountSamples(mount, stats[i])) samples.get(key)?.push(s);
      });
      return nonEmpty(FAMILIES.map(([key, name, help]) => gauge(name, help, samples.get(key) ?? [])));
    },
  };
}

export const filesystemCollector = defineCollector({
  name: 'filesystem',
  enabledByDefault: true,
  help: 'size, free space and inodes per mounted filesystem (statfs).',
  options: OPTIONS,
  create: (config, logger) => createFilesystemCollector(config, logger),
});
