// Reads /proc/<pid> directly, like process-exporter: systeminformation's processes() spawns ps and reads every
// process in full, and we need cumulative CPU counters and per-group state that ps cannot give.
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { duration } from '../../config/schema-types.js';
import type { Collector, ScrapeContext } from '../collector.js';
import { defineCollector, type CollectorConfig } from '../collector-definition.js';
import { counter, gauge, sample, type MetricFamily, type Sample } from '../metric-family.js';
import type { ProcReader } from '../procfs.js';
import { fields, nonEmpty, parseKeyValueLines, toNumber } from './parse.js';
import { processGroupsSchema, type ProcessGroupConfig } from './process/groups.js';
import { countFds, detectFdCountMethod, isGone, systemPageSize, type FdCount, type FdCountMethod } from './process/pid-files.js';
import { ProcessTracker, type GroupSnapshot } from './process/tracker.js';

/** `collectors.process` — named groups of processes, process-exporter style; set in the file only. */
const OPTIONS = {
  groups: { schema: processGroupsSchema },
  /**
   * A new process in a group counts as a restart when a member of that group went away at most this long
   * before; a group stopped overnight and started in the morning is not a restart loop.
   */
  restart_window: { schema: duration.default(300_000) },
} as const;

export interface ProcessCollectorOptions {
  /** Bytes per page for resident memory; the kernel's by default. */
  readonly pageSize?: number;
  /** Counts a process's open descriptors; countFds with the method detected for the procfs root by default. */
  readonly countFds?: (pidDir: string) => FdCount;
  /** Wall clock in ms, for the restart window. */
  readonly now?: () => number;
}

/** The process collector, which holds members' stat files open between scrapes: `close()` releases them. */
export interface ProcessCollector extends Collector {
  close(): void;
  /** Stat files currently held open. */
  readonly heldFiles: number;
}

export function createProcessCollector(
  config: CollectorConfig<'process', typeof OPTIONS>,
  logger: Logger,
  options: ProcessCollectorOptions = {},
): ProcessCollector {
  const { groups, restart_window: restartWindowMs } = config.process;
  const tracker = new ProcessTracker({ groups, restartWindowMs, pageSize: options.pageSize ?? systemPageSize() });
  const now = options.now ?? Date.now;
  const fdMethods = new Map<string, FdCountMethod>();
  const pidFiles = new PidFileReader(logger);

  return {
    name: 'process',
    get heldFiles() {
      return tracker.heldFileCount;
    },
    close: () => tracker.close(),
    async collect(ctx: ScrapeContext): Promise<MetricFamily[]> {
      if (groups.length === 0) return [];
      const procfs = ctx.files.paths.procfs;
      let method = fdMethods.get(procfs);
      if (method === undefined) {
        method = detectFdCountMethod(procfs);
        fdMethods.set(procfs, method);
        logger.debug({ procfs, method }, 'counting open file descriptors');
      }
      const fdMethod = method;
      const [bootTimeSeconds, uptimeSeconds] = await Promise.all([bootTime(ctx.files), uptime(ctx.files)]);
      // Everything from here on is synchronous: no other scrape can interleave with the tracker's update.
      const snapshots = tracker.scan({
        procfs,
        countFds: options.countFds ?? ((pidDir) => countFds(pidDir, fdMethod)),
        fdCountByStat: options.countFds === undefined && fdMethod === 'stat',
        pidFileMembers: pidFiles.read(groups, ctx.files),
        now: now(),
        uptimeSeconds,
        bootTimeSeconds,
      });
      return processFamilies(snapshots);
    },
  };
}

export const processCollector = defineCollector({
  name: 'process',
  enabledByDefault: true,
  help: 'CPU, memory, file descriptors and restarts of the process groups named in the config (/proc/<pid>).',
  options: OPTIONS,
  create: (config, logger) => createProcessCollector(config, logger),
});

/** btime from /proc/stat (shared with the cpu and stat collectors through the per-scrape memo). */
async function bootTime(files: ProcReader): Promise<number | undefined> {
  try {
    return toNumber(fields(parseKeyValueLines(await files.proc('stat')).get('btime') ?? '')[0]);
  } catch {
    return undefined;
  }
}

async function uptime(files: ProcReader): Promise<number | undefined> {
  try {
    return toNumber(fields(await files.proc('uptime'))[0]);
  } catch {
    return undefined;
  }
}

/** Reads the groups' pid files on every scrape: a restarted daemon rewrites its pid file. */
class PidFileReader {
  /** Files whose problem was logged, so a bad pid file logs once, not on every scrape. */
  private readonly reported = new Set<string>();

  constructor(private readonly logger: Logger) {}

  read(groups: readonly ProcessGroupConfig[], files: ProcReader): Map<number, number[]> {
    const members = new Map<number, number[]>();
    groups.forEach((group, index) => {
      if (group.pid_file === undefined) return;
      const pid = this.readPid(files.hostPath(group.pid_file), group.name);
      if (pid === undefined) return;
      const list = members.get(pid) ?? [];
      list.push(index);
      members.set(pid, list);
    });
    return members;
  }

  private readPid(file: string, group: string): number | undefined {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      // No pid file: the daemon is not running, which the group's count of 0 says.
      if (!isGone(error)) this.reportOnce(file, { group, pid_file: file, err: error }, 'cannot read the pid file; the group counts as empty');
      return undefined;
    }
    const pid = Number(/^\s*(\d+)\s*$/.exec(text)?.[1]);
    if (Number.isSafeInteger(pid) && pid > 0) {
      this.reported.delete(file);
      return pid;
    }
    this.reportOnce(file, { group, pid_file: file }, 'the pid file does not hold a pid; the group counts as empty');
    return undefined;
  }

  private reportOnce(file: string, fields: Record<string, unknown>, message: string): void {
    if (this.reported.has(file)) return;
    this.reported.add(file);
    this.logger.warn(fields, message);
  }
}

/** Families in a fixed order; count, CPU and restarts for every group, the rest only for groups with members. */
function processFamilies(snapshots: readonly GroupSnapshot[]): MetricFamily[] {
  const perMember = (pick: (s: GroupSnapshot) => number | undefined): Sample[] =>
    snapshots.flatMap((s) => {
      const value = s.members === undefined ? undefined : pick(s);
      return value === undefined ? [] : [sample(value, { group: s.name })];
    });
  return nonEmpty([
    gauge(
      'ide_process_count',
      'Processes in the group, zombies excluded; 0 when none runs, in processes.',
      snapshots.map((s) => sample(s.count, { group: s.name })),
    ),
    counter(
      'ide_process_cpu_seconds_total',
      "CPU time of the group's processes, including members that exited since the exporter started, in seconds.",
      snapshots.flatMap((s) => [sample(s.userSeconds, { group: s.name, mode: 'user' }), sample(s.systemSeconds, { group: s.name, mode: 'system' })]),
    ),
    gauge(
      'ide_process_resident_memory_bytes',
      "Resident memory of the group's processes, summed, in bytes.",
      perMember((s) => s.members?.residentBytes),
    ),
    gauge(
      'ide_process_virtual_memory_bytes',
      "Virtual memory of the group's processes, summed, in bytes.",
      perMember((s) => s.members?.virtualBytes),
    ),
    gauge(
      'ide_process_open_fds',
      "Open file descriptors of the group's processes we may inspect (see ide_process_open_fds_unreadable), in descriptors.",
      perMember((s) => s.members?.openFds),
    ),
    gauge(
      'ide_process_open_fds_unreadable',
      "Processes of the group whose descriptors could not be counted (another user's process, without CAP_SYS_PTRACE), in processes.",
      perMember((s) => s.members?.fdsUnreadable),
    ),
    gauge(
      'ide_process_threads',
      "Threads of the group's processes, summed, in threads.",
      perMember((s) => s.members?.threads),
    ),
    gauge(
      'ide_process_oldest_start_time_seconds',
      "Start time of the group's oldest process, in seconds since the Unix epoch.",
      perMember((s) => s.members?.oldestStartSeconds),
    ),
    counter(
      'ide_process_restarts_total',
      'New processes in the group that replaced one gone within the restart window, since the exporter started, in restarts.',
      snapshots.map((s) => sample(s.restarts, { group: s.name })),
    ),
  ]);
}
