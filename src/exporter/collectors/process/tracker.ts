import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import type { ProcessGroupConfig } from './groups.js';
import { firstGroup, GroupMatcher } from './matcher.js';
import { USER_HZ } from '../parse.js';
import {
  isDenied,
  isGone,
  joinCmdline,
  listPids,
  parsePidStat,
  readOpenFile,
  readSmallFile,
  readWholeFile,
  type FdCount,
  type PidStat,
} from './pid-files.js';

/**
 * A process younger than this may still be between fork and exec (a child of node or a shell still shows
 * its parent's command line): its match is checked again on the next scrape instead of being cached.
 */
const SETTLE_SECONDS = 2;

/**
 * Members' /proc/<pid>/stat files are kept open between scrapes: a pread on an open file is one syscall
 * instead of three, and the open file is bound to the process, so a reused pid reads as ESRCH rather than
 * as someone else's stat. Bounded so a huge group cannot exhaust the exporter's descriptors.
 */
const MAX_HELD_FILES = 2048;

export interface TrackerOptions {
  readonly groups: readonly ProcessGroupConfig[];
  readonly restartWindowMs: number;
  readonly pageSize: number;
}

export interface ScanInput {
  readonly procfs: string;
  /** Counts the open descriptors of the process at `/proc/<pid>` (countFds with the detected method). */
  readonly countFds: (pidDir: string) => FdCount;
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
}

/** Per group, what outlives its members. */
class GroupAccount {
  exitedUser = 0;
  exitedSystem = 0;
  restarts = 0;
  /** `pid:starttime` of the live members at the last scrape. */
  alive = new Set<string>();
  /** When members went away, oldest first; each pairs with at most one newcomer. */
  goneAt: number[] = [];
}

class Totals {
  user = 0;
  system = 0;
  readonly alive = new Set<string>();
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

  constructor(private readonly options: TrackerOptions) {
    this.matcher = new GroupMatcher(options.groups);
    this.accounts = options.groups.map(() => new GroupAccount());
  }

  scan(input: ScanInput): GroupSnapshot[] {
    const totals = this.options.groups.map(() => new Totals());
    const seen = new Set<number>();
    for (const pid of listPids(input.procfs)) {
      const pidDir = path.join(input.procfs, String(pid));
      let tracked = this.tracked.get(pid);
      const stat = this.readStat(pidDir, tracked);
      if (stat === undefined) continue;
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
      seen.add(pid);
      const group = firstGroup(tracked.byName, input.pidFileMembers.get(pid));
      if (group !== tracked.group) this.move(tracked, group, stat);
      tracked.lastUser = stat.userTicks;
      tracked.lastSystem = stat.systemTicks;
      const total = totals[group];
      if (total === undefined) {
        this.release(tracked);
        continue;
      }
      this.hold(tracked, pidDir);
      this.add(total, tracked, stat, input.countFds(pidDir));
    }
    for (const [pid, tracked] of this.tracked) if (!seen.has(pid)) this.forget(tracked);
    return this.options.groups.map((group, index) => this.snapshot(group.name, this.accounts[index]!, totals[index]!, input));
  }

  /** Closes the stat files held open for members. */
  close(): void {
    for (const tracked of this.tracked.values()) this.release(tracked);
    this.tracked.clear();
  }

  /** How many stat files are held open (for tests and the benchmark). */
  get heldFileCount(): number {
    return this.heldFiles;
  }

  private readStat(pidDir: string, tracked: Tracked | undefined): PidStat | undefined {
    if (tracked?.heldFile !== undefined) {
      try {
        return parsePidStat(readOpenFile(tracked.heldFile));
      } catch (error) {
        // ESRCH: that process is gone; the pid may already be someone else's, read by path below.
        this.release(tracked);
        if (!isGone(error) && !isDenied(error)) throw error;
      }
    }
    try {
      return parsePidStat(readSmallFile(path.join(pidDir, 'stat')));
    } catch (error) {
      // Gone between the directory listing and now, or hidden from us (hidepid): not in any group we can see.
      if (isGone(error) || isDenied(error)) return undefined;
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
    };
    return this.rematch(tracked, pidDir, stat, uptime) ? tracked : undefined;
  }

  /** Reads the command line again and recomputes the name matches; false when the process vanished. */
  private rematch(tracked: Tracked, pidDir: string, stat: PidStat, uptime: number | undefined): boolean {
    let raw = '';
    try {
      raw = readWholeFile(path.join(pidDir, 'cmdline'));
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

  private hold(tracked: Tracked, pidDir: string): void {
    if (tracked.heldFile !== undefined || this.heldFiles >= MAX_HELD_FILES) return;
    try {
      tracked.heldFile = openSync(path.join(pidDir, 'stat'), 'r');
      this.heldFiles++;
    } catch {
      // Gone since we read it, or out of descriptors: read it by path next time.
    }
  }

  private release(tracked: Tracked): void {
    if (tracked.heldFile === undefined) return;
    try {
      closeSync(tracked.heldFile);
    } finally {
      tracked.heldFile = undefined;
      this.heldFiles--;
    }
  }

  private add(total: Totals, tracked: Tracked, stat: PidStat, fds: FdCount): void {
    total.user += stat.userTicks - tracked.baseUser;
    total.system += stat.systemTicks - tracked.baseSystem;
    // A zombie has exited; its CPU time counts, but it is neither running nor holding memory or files.
    if (stat.state === 'Z' || stat.state === 'X') return;
    total.alive.add(`${tracked.pid}:${tracked.startTicks}`);
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
  private countRestarts(account: GroupAccount, alive: Set<string>, now: number): void {
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
