import type { CollectorName } from './schema.js';

/** One line per collector for `--help` and the README; the keys are the collectors' names. */
export const COLLECTOR_DESCRIPTIONS: Readonly<Record<CollectorName, string>> = {
  cpu: 'per-core CPU time by mode (/proc/stat).',
  load: 'load averages (/proc/loadavg).',
  stat: 'context switches, interrupts, boot time, running and blocked processes (/proc/stat).',
  memory: 'memory and swap (/proc/meminfo).',
  filesystem: 'size, free space and inodes per mounted filesystem (statfs).',
  diskio: 'I/O per block device (/proc/diskstats).',
  network: 'traffic and errors per network device (/proc/net/dev).',
  filefd: 'allocated and maximum file descriptors (/proc/sys/fs/file-nr).',
  pressure: 'pressure stall information, where the kernel has it (/proc/pressure).',
  hostinfo: 'static OS and CPU facts, read once (systeminformation).',
  process: 'CPU, memory, file descriptors and restarts of the process groups named in the config (/proc/<pid>).',
};
