import path from 'node:path';
import type { ProcessGroupConfig } from './groups.js';

/** The kernel keeps the first 15 bytes of an executable's name as its comm (TASK_COMM_LEN is 16 with the NUL). */
const COMM_LENGTH = 15;

/** What identifies a process to the name and command-line matchers. */
export interface ProcessNames {
  readonly comm: string;
  /** Arguments joined by single spaces; empty for kernel threads and zombies. */
  readonly cmdline: string;
  readonly argv0: string;
}

interface CompiledGroup {
  readonly names: ReadonlySet<string>;
  /** Names longer than comm can hold, cut the way the kernel cuts them. */
  readonly truncatedNames: ReadonlySet<string>;
  readonly cmdline: RegExp | undefined;
}

/**
 * The comm and cmdline matchers of every group, compiled once. Pid files change under a running process,
 * so they are not matched here but re-read on every scrape (see PidFileMembers).
 */
export class GroupMatcher {
  private readonly groups: readonly CompiledGroup[];

  constructor(groups: readonly ProcessGroupConfig[]) {
    this.groups = groups.map((group) => {
      const names = group.comm ?? [];
      return {
        names: new Set(names),
        truncatedNames: new Set(names.filter((n) => Buffer.byteLength(n) > COMM_LENGTH).map(truncateComm)),
        cmdline: group.cmdline === undefined ? undefined : new RegExp(group.cmdline),
      };
    });
  }

  /** The indexes, in config order, of the groups whose comm or cmdline matcher matches. */
  match(process: ProcessNames): number[] {
    const argv0Name = process.argv0 === '' ? '' : path.basename(process.argv0);
    const matches: number[] = [];
    this.groups.forEach((group, index) => {
      const byName = group.names.has(process.comm) || group.truncatedNames.has(process.comm) || (argv0Name !== '' && group.names.has(argv0Name));
      // Kernel threads and zombies have no command line; a pattern such as `.*` must not sweep them in.
      const byCmdline = group.cmdline !== undefined && process.cmdline !== '' && group.cmdline.test(process.cmdline);
      if (byName || byCmdline) matches.push(index);
    });
    return matches;
  }
}

/**
 * The first 15 bytes of a name, as the kernel stores it in comm. It cuts bytes, not characters; decoding the
 * cut bytes the same way as the stat file is decoded yields the same string even mid-sequence.
 */
function truncateComm(name: string): string {
  return Buffer.from(name).subarray(0, COMM_LENGTH).toString('utf8');
}

/**
 * The group a process belongs to: the first group in config order among those that match it by name or
 * command line and those whose pid file names it. One process is in at most one group, so sums over
 * groups never count a process twice.
 */
export function firstGroup(byName: readonly number[], byPidFile: readonly number[] | undefined): number {
  let first = byName[0] ?? -1;
  for (const index of byPidFile ?? []) if (first < 0 || index < first) first = index;
  return first;
}
