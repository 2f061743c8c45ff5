import { closeSync, fstatSync, openSync } from 'node:fs';
import type { ProcessGroupConfig } from './groups.js';
import { firstGroup, GroupMatcher } from './matcher.js';
import { USER_HZ } from '../parse.js';
import { isDenied, isGone, joinCmdline, listPids, readPidStat, readWholeFile, type FdCount, type PidStat } from './pid-files.js';

/**
 * A process younger than this may still be between fork and exec (a child of node or a shell still shows
 * its parent's command line): its match is checked again on the next scrape instead of being cached.
 */
const SETTLE_SECONDS = 2;

/**
 * /proc/<pid>/stat files are kept open between scrapes: a pread on an open file is one syscall instead of
 * three (open, read, close), and the open file is bound to the process, so a reused pid reads as ESRCH
 * rather than as someone else's stat. Members' /proc/<pid>/fd directories are kept open too when their
 * size is the descriptor count (Linux 6.2+): an fstat skips the path lookup, about half the cost of a stat.
 * Bounded so a huge machine cannot exhaust the exporter's descriptors (Node raises the soft RLIMIT_NOFILE
 * to the hard limit at start; HTTP connections are capped at web.max-connections, 1024 by default).
 */
const MAX_HELD_FILES = 4096;
/**
 * Processes in no group only get their stat file held below this many held files, so members always
 * have most of the budget. Non-members are read every scrape too (an exec may move them into a group).
 */
const MAX_HELD_FILES_FOR_OTHERS = 1024;

export interface TrackerOptions {
  readonly groups: readonly ProcessGroupConfig[];
  readonly restartWindowMs: number;
  readonly pageSize: number;
}

export interface ScanInput {
  readonly procfs: string;
  /** Counts the open descriptors of the process at `/proc/<pid>` (countFds with the detected method). */
  readonly countFds: (pidDir: string) => FdCount;
  /** The fd directory's size is its descriptor count (countFds' 'stat' method): hold it open and fstat it. */
  readonly fdCountByStat?: boolean;
  /** pid → indexes of the groups whose pid file names it, read this scrape. */
  readonly pidFileMembers: ReadonlyMap<number, readonly number[]>;
  /** Wall clock, in ms, for the restart window. */
  readonly now: number;
  /** /proc/uptime, to tell a process's age; undefined when unreadable (every match is then cached at once). */
  readonly uptimeSeconds: number | undefined;
  /** /proc/stat btime; undefined when unreadable (start times are then omitted). */
  readonly bootTimeSeconds: number | undefined;
}

/** Figures of a group's live members; only present when it has at least one. */
interface GroupMembers {
  readonly residentBytes: number;
  readonly virtualBytes: number;
  readonly threads: number;
  /** Sum over the members we could count; undefined when we could count none. */
  readonly openFds: number | undefined;
  readonly fdsUnreadable: number;
  readonly oldestStartSeconds: number | undefined;
}

export interface GroupSnapshot {
  readonly name: string;
  /** Live members: zombies are waiting to be reaped, not running. */
  readonly count: number;
  readonly userSeconds: number;
  readonly systemSeconds: number;
  readonly restarts: number;
  readonly members: GroupMembers | undefined;
}

/** What we remember of a process between scrapes, keyed by pid and checked against its start time. */
interface Tracked {
  readonly pid: number;
  readonly startTicks: number;
  comm: string;
  /** Groups matching by comm or cmdline, from the last time the command line was read. */
  byName: readonly number[];
  /** False while the process was too young for its match to be trusted. */
  settled: boolean;
  group: number;
  /** Whether some group has already been credited with this process's CPU time. */
  accounted: boolean;
  /** CPU ticks at which it joined its group (0 unless another group already counted the earlier ones). */
  baseUser: number;
  baseSystem: number;
  lastUser: number;
  lastSystem: number;
  heldFile: number | undefined;
  /** The open /proc/<pid>/fd directory (members only, with fdCountByStat). */
  heldFdDir: number | undefined;
  /** The scan that last saw it alive. */
  seenInScan: number;
  /** Opening the fd directory was refused (another user's process): stat it by path, which needs no ptrace. */
  fdDirRefused: boolean;
}

/** Per group, what outlives its members. */
class GroupAccount {
  exitedUser = 0;
  exitedSystem = 0;
  restarts = 0;
  /** The live members at the last scrape (a Tracked is one process: a reused pid gets a new one). */
  alive = new Set<Tracked>();
  /** When members went away, oldest first; each pairs with at most one newcomer. */
  goneAt: number[] = [];
}

class Totals {
  user = 0;
  system = 0;
  readonly alive = new Set<Tracked>();
  resident = 0;
  virtual = 0;
  threads = 0;
  fds = 0;
  fdsCounted = 0;
  fdsDenied = 0;
  oldestStartTicks = Infinity;
}

/**
 * The process collector's memory across scrapes: which pid is in which group (so a command line is read
 * once per process, not once per scrape), the CPU time of members that have exited (so the group's CPU
 * counter never goes backwards) and the members seen last time (to count restarts).
 *
 * A scan is synchronous from start to end, so concurrent scrapes cannot interleave their updates.
 */
export class ProcessTracker {
  private readonly matcher: GroupMatcher;
  private readonly accounts: GroupAccount[];
  private readonly tracked = new Map<number, Tracked>();
  private heldFiles = 0;
  /** Scans so far; a process not marked with the current one has gone (no per-scan set of pids to build). */
  private scans = 0;

  constructor(private readonly options: TrackerOptions) {
    this.matcher = new GroupMatcher(options.groups);
    this.accounts = options.groups.map(() => new GroupAccount());
  }

  scan(input: ScanInput): GroupSnapshot[] {
    const totals = this.options.groups.map(() => new Totals());
    const scanned = ++this.scans;
    const root = input.procfs.endsWith('/') ? input.procfs : `${input.procfs}/`;
    for (const pid of listPids(input.procfs)) {
      const pidDir = root + String(pid);
      let tracked = this.tracked.get(pid);
      // A stat file opened by path this scrape; held below for the process, or closed in finally.
      let opened: number | undefined;
      try {
        let stat: PidStat | undefined;
        if (tracked?.heldFile !== undefined) stat = this.readHeld(tracked);
        if (stat === undefined) {
          opened = openStat(pidDir);
          if (opened === undefined) continue;
          stat = readOpened(opened);
          if (stat === undefined) continue;
        }
        if (tracked !== undefined && tracked.startTicks !== stat.startTicks) {
          this.forget(tracked);
          tracked = undefined;
        }
        if (tracked === undefined) {
          tracked = this.identify(pid, pidDir, stat, input.uptimeSeconds);
          if (tracked === undefined) continue;
          this.tracked.set(pid, tracked);
        } else if (tracked.comm !== stat.comm || !tracked.settled) {
          if (!this.rematch(tracked, pidDir, stat, input.uptimeSeconds)) continue;
        }
        tracked.seenInScan = scanned;
        const group = firstGroup(tracked.byName, input.pidFileMembers.get(pid));
        if (group !== tracked.group) this.move(tracked, group, stat);
        tracked.lastUser = stat.userTicks;
        tracked.lastSystem = stat.systemTicks;
        const total = totals[group];
        if (opened !== undefined && tracked.heldFile === undefined && this.heldFiles < (total === undefined ? MAX_HELD_FILES_FOR_OTHERS : MAX_HELD_FILES)) {
          tracked.heldFile = opened;
          opened = undefined;
          this.heldFiles++;
        }
        if (total === undefined) {
          this.releaseFdDir(tracked);
          continue;
        }
        this.add(total, tracked, stat, this.countFds(tracked, pidDir, input));
      } finally {
        if (opened !== undefined) closeSync(opened);
      }
    }
    for (const tracked of this.tracked.values()) if (tracked.seenInScan !== scanned) this.forget(tracked);
    return this.options.groups.map((group, index) => this.snapshot(group.name, this.accounts[index]!, totals[index]!, input));
  }

  /** Closes the files held open. */
  close(): void {
    for (const tracked of this.tracked.values()) this.release(tracked);
    this.tracked.clear();
  }

  /** How many files (stat files and fd directories) are held open (for tests and the benchmark). */
  get heldFileCount(): number {
    return this.heldFiles;
  }

  /** Reads the held stat file; undefined (and released) when that process is gone, so the path is tried. */
  private readHeld(tracked: Tracked): PidStat | undefined {
    try {
      return readPidStat(tracked.heldFile!);
    } catch (error) {
      // ESRCH: that process is gone; the pid may already be someone else's, read by path by the caller.
      this.release(tracked);
      if (!isGone(error) && !isDenied(error)) throw error;
      return undefined;
    }
  }

  /** A member's open descriptors: fstat of its held fd directory when the size is the count, else by path. */
  private countFds(tracked: Tracked, pidDir: string, input: ScanInput): FdCount {
    if (input.fdCountByStat !== true) return input.countFds(pidDir);
    if (tracked.heldFdDir === undefined && !tracked.fdDirRefused && this.heldFiles < MAX_HELD_FILES) {
      try {
        tracked.heldFdDir = openSync(`${pidDir}/fd`, 'r');
        this.heldFiles++;
      } catch (error) {
        if (isGone(error)) return 'gone';
        tracked.fdDirRefused = true;
      }
    }
    if (tracked.heldFdDir === undefined) return input.countFds(pidDir);
    try {
      return fstatSync(tracked.heldFdDir).size;
    } catch (error) {
      this.releaseFdDir(tracked);
      if (isGone(error)) return 'gone';
      if (isDenied(error)) return 'denied';
      throw error;
    }
  }

  /** A process seen for the first time: its command line decides its groups. Undefined when it vanished. */
  private identify(pid: number, pidDir: string, stat: PidStat, uptime: number | undefined): Tracked | undefined {
    const tracked: Tracked = {
      pid,
      startTicks: stat.startTicks,
      comm: stat.comm,
      byName: [],
      settled: false,
      group: -1,
      accounted: false,
      baseUser: 0,
      baseSystem: 0,
      lastUser: stat.userTicks,
      lastSystem: stat.systemTicks,
      heldFile: undefined,
      heldFdDir: undefined,
      fdDirRefused: false,
      seenInScan: 0,
    };
    return this.rematch(tracked, pidDir, stat, uptime) ? tracked : undefined;
  }

  /** Reads the command line again and recomputes the name matches; false when the process vanished. */
  private rematch(tracked: Tracked, pidDir: string, stat: PidStat, uptime: number | undefined): boolean {
    let raw = '';
    try {
      raw = readWholeFile(`${pidDir}/cmdline`);
    } catch (error) {
      if (isGone(error)) return false;
      if (!isDenied(error)) throw error;
      // hidepid or a restrictive LSM: match by comm alone.
    }
    const { cmdline, argv0 } = joinCmdline(raw);
    tracked.comm = stat.comm;
    tracked.byName = this.matcher.match({ comm: stat.comm, cmdline, argv0 });
    tracked.settled = uptime === undefined || uptime - stat.startTicks / USER_HZ >= SETTLE_SECONDS;
    return true;
  }

  /**
   * Moves a live process between groups (or in or out of all of them). Its CPU time so far stays with the
   * group it leaves; the group it joins counts only what follows, unless no group has counted it yet.
   */
  private move(tracked: Tracked, group: number, stat: PidStat): void {
    const from = this.accounts[tracked.group];
    if (from !== undefined) {
      from.exitedUser += stat.userTicks - tracked.baseUser;
      from.exitedSystem += stat.systemTicks - tracked.baseSystem;
    }
    tracked.group = group;
    if (group < 0) return;
    tracked.baseUser = tracked.accounted ? stat.userTicks : 0;
    tracked.baseSystem = tracked.accounted ? stat.systemTicks : 0;
    tracked.accounted = true;
  }

  /** A process that is gone (or whose pid now belongs to another): its group keeps the CPU time we last saw. */
  private forget(tracked: Tracked): void {
    const account = this.accounts[tracked.group];
    if (account !== undefined) {
      account.exitedUser += tracked.lastUser - tracked.baseUser;
      account.exitedSystem += tracked.lastSystem - tracked.baseSystem;
    }
    this.release(tracked);
    this.tracked.delete(tracked.pid);
  }

  private release(tracked: Tracked): void {
    this.releaseFdDir(tracked);
    if (tracked.heldFile === undefined) return;
    try {
      closeSync(tracked.heldFile);
    } finally {
      tracked.heldFile = undefined;
      this.heldFiles--;
    }
  }

  private releaseFdDir(tracked: Tracked): void {
    if (tracked.heldFdDir === undefined) return;
    try {
      closeSync(tracked.heldFdDir);
    } finally {
      tracked.heldFdDir = undefined;
      this.heldFiles--;
    }
  }

  private add(total: Totals, tracked: Tracked, stat: PidStat, fds: FdCount): void {
    total.user += stat.userTicks - tracked.baseUser;
    total.system += stat.systemTicks - tracked.baseSystem;
    // A zombie has exited; its CPU time counts, but it is neither running nor holding memory or files.
    if (stat.state === 'Z' || stat.state === 'X') return;
    total.alive.add(tracked);
    total.resident += stat.residentPages * this.options.pageSize;
    total.virtual += stat.virtualBytes;
    total.threads += stat.threads;
    total.oldestStartTicks = Math.min(total.oldestStartTicks, stat.startTicks);
    if (fds === 'denied') total.fdsDenied++;
    else if (fds !== 'gone') {
      total.fds += fds;
      total.fdsCounted++;
    }
  }

  private snapshot(name: string, account: GroupAccount, total: Totals, input: ScanInput): GroupSnapshot {
    this.countRestarts(account, total.alive, input.now);
    const count = total.alive.size;
    return {
      name,
      count,
      userSeconds: (account.exitedUser + total.user) / USER_HZ,
      systemSeconds: (account.exitedSystem + total.system) / USER_HZ,
      restarts: account.restarts,
      members:
        count === 0
          ? undefined
          : {
              residentBytes: total.resident,
              virtualBytes: total.virtual,
              threads: total.threads,
              openFds: total.fdsCounted > 0 ? total.fds : undefined,
              fdsUnreadable: total.fdsDenied,
              oldestStartSeconds: input.bootTimeSeconds === undefined ? undefined : input.bootTimeSeconds + total.oldestStartTicks / USER_HZ,
            },
    };
  }

  /**
   * A restart is a newcomer replacing a member that went away within the restart window: a crash loop
   * counts even when a scrape falls between the death and the new start, while a group stopped at night
   * and started in the morning does not.
   */
  private countRestarts(account: GroupAccount, alive: Set<Tracked>, now: number): void {
    let newcomers = 0;
    for (const key of alive) if (!account.alive.has(key)) newcomers++;
    for (const key of account.alive) if (!alive.has(key)) account.goneAt.push(now);
    account.goneAt = account.goneAt.filter((at) => now - at <= this.options.restartWindowMs);
    const restarts = Math.min(newcomers, account.goneAt.length);
    account.restarts += restarts;
    account.goneAt.splice(0, restarts);
    account.alive = alive;
  }
}

/** Reads a stat file just opened by path; undefined when the process exited in between. */
function readOpened(fd: number): PidStat | undefined {
  try {
    return readPidStat(fd);
  } catch (error) {
    if (isGone(error) || isDenied(error)) return undefined;
    throw error;
  }
}

/** Opens /proc/<pid>/stat; undefined when the process is gone or hidden from us (hidepid). */
function openStat(pidDir: string): number | undefined {
  try {
    return openSync(`${pidDir}/stat`, 'r');
  } catch (error) {
    if (isGone(error) || isDenied(error)) return undefined;
    throw error;
  }
}
