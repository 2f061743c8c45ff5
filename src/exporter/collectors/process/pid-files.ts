// Low-level reads of /proc/<pid>: synchronous and through one shared buffer. With 500 watched processes a
// scrape makes thousands of these reads; readFileSync costs about 4× a plain open/read/close on procfs
// (it fstats, then reads in growing chunks because procfs reports size 0), and the async API was 5–8×
// slower still (threadpool hand-offs), see docs/process-groups.md.
import { closeSync, openSync, readdirSync, readFileSync, readSync, statfsSync, statSync } from 'node:fs';
import { arch, endianness } from 'node:os';
import path from 'node:path';

/** The fields of /proc/<pid>/stat the collector uses. */
export interface PidStat {
  readonly comm: string;
  /** R, S, D, Z (zombie), X (dead), … */
  readonly state: string;
  readonly userTicks: number;
  readonly systemTicks: number;
  readonly threads: number;
  /** Since boot, in USER_HZ ticks; with the pid, the process's identity (pids are reused, start times are not). */
  readonly startTicks: number;
  readonly virtualBytes: number;
  readonly residentPages: number;
}

/**
 * Parses /proc/<pid>/stat. The comm (field 2) is in parentheses and may itself hold spaces and `)`, so
 * the fields are counted from the last `)`; fields 3… follow it, one space apart.
 */
export function parsePidStat(text: string): PidStat | undefined {
  const bytes = Buffer.from(text, 'utf8');
  return parsePidStatBytes(bytes, bytes.length);
}

const SPACE = 0x20;
const NEWLINE = 0x0a;

/**
 * The decimal number in bytes [start, end); NaN unless it is digits (with an optional minus sign). Read
 * straight from the bytes: a scrape parses hundreds of stat lines, and a string per line plus one per
 * field (split) was most of the collector's garbage.
 */
function numberAt(bytes: Buffer, start: number, end: number): number {
  const negative = bytes[start] === 0x2d;
  let i = negative ? start + 1 : start;
  if (i >= end) return NaN;
  let value = 0;
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c < 0x30 || c > 0x39) return NaN;
    value = value * 10 + (c - 0x30);
  }
  return negative ? -value : value;
}

/** parsePidStat on the first `length` bytes of `bytes` (the shared read buffer). */
function parsePidStatBytes(bytes: Buffer, length: number): PidStat | undefined {
  const open = bytes.indexOf(0x28); // (
  const close = length > 0 ? bytes.lastIndexOf(0x29, length - 1) : -1; // )
  if (open < 0 || open >= length || close < open) return undefined;
  let state = '';
  let userTicks = NaN;
  let systemTicks = NaN;
  let threads = NaN;
  let startTicks = NaN;
  let virtualBytes = NaN;
  let residentPages = NaN;
  // Field 3 (state) starts two bytes after the last ')'; each later field one space after the previous.
  for (let i = close + 2, field = 3; i < length && field <= 24; field++) {
    const start = i;
    while (i < length && bytes[i] !== SPACE && bytes[i] !== NEWLINE) i++;
    if (field === 3) state = bytes.toString('latin1', start, i);
    else if (field === 14) userTicks = numberAt(bytes, start, i);
    else if (field === 15) systemTicks = numberAt(bytes, start, i);
    else if (field === 20) threads = numberAt(bytes, start, i);
    else if (field === 22) startTicks = numberAt(bytes, start, i);
    else if (field === 23) virtualBytes = numberAt(bytes, start, i);
    else if (field === 24) residentPages = numberAt(bytes, start, i);
    i++;
  }
  const valid =
    Number.isFinite(userTicks) &&
    Number.isFinite(systemTicks) &&
    Number.isFinite(threads) &&
    Number.isFinite(startTicks) &&
    Number.isFinite(virtualBytes) &&
    Number.isFinite(residentPages);
  return valid ? { comm: bytes.toString('utf8', open + 1, close), state, userTicks, systemTicks, threads, startTicks, virtualBytes, residentPages } : undefined;
}

/** The command line as one string: arguments NUL-separated by the kernel, joined here by single spaces. */
export function joinCmdline(raw: string): { cmdline: string; argv0: string } {
  const args = raw.split('\0');
  if (args[args.length - 1] === '') args.pop();
  return { cmdline: args.join(' '), argv0: args[0] ?? '' };
}

/** The errors that mean "this process is gone" (or going): not a failure, it just is not there any more. */
export function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ESRCH';
}

export function isDenied(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EACCES' || code === 'EPERM';
}

/** Shared by every read below; safe because every read is synchronous. 64 KiB holds any stat file. */
const buffer = Buffer.allocUnsafe(64 * 1024);
/** A command line longer than this is cut: regexes see its first 1 MiB. */
const MAX_CMDLINE_BYTES = 1 << 20;

/**
 * Reads and parses an open /proc/<pid>/stat: one pread at 0 (the kernel generates the file afresh) into
 * the shared buffer, parsed from its bytes.
 */
export function readPidStat(fd: number): PidStat | undefined {
  return parsePidStatBytes(buffer, readSync(fd, buffer, 0, buffer.length, 0));
}

/** Reads a file of any length up to `max` bytes; /proc/<pid>/cmdline can exceed one buffer. */
export function readWholeFile(file: string, max = MAX_CMDLINE_BYTES): string {
  const fd = openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, max - total), total);
      if (n <= 0) break;
      chunks.push(Buffer.from(buffer.subarray(0, n)));
      total += n;
      if (total >= max) break;
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The numeric entries of the procfs root: one per process (thread group), never per thread. */
export function listPids(procfs: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync(procfs)) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(name);
    if (Number.isInteger(pid)) pids.push(pid);
  }
  return pids;
}

/** How a member's open file descriptors are counted. */
export type FdCountMethod = 'stat' | 'readdir';

/** The open descriptors of a process; `denied` when we may not look (another user's process, no CAP_SYS_PTRACE). */
export type FdCount = number | 'gone' | 'denied';

const PROC_SUPER_MAGIC = 0x9fa0;

/**
 * Since Linux 6.2, stat(2) on /proc/<pid>/fd reports the number of open descriptors as its size: one
 * syscall instead of open + getdents… + close, and it needs no ptrace access. Older kernels report 0,
 * and a fixture tree's directory reports its own size, so we use it only on a real procfs where our own
 * fd directory shows a count.
 */
export function detectFdCountMethod(procfs: string): FdCountMethod {
  try {
    if (statfsSync(procfs).type !== PROC_SUPER_MAGIC) return 'readdir';
    return statSync(path.join(procfs, 'self', 'fd')).size > 0 ? 'stat' : 'readdir';
  } catch {
    return 'readdir';
  }
}

export function countFds(pidDir: string, method: FdCountMethod): FdCount {
  const dir = path.join(pidDir, 'fd');
  try {
    if (method === 'stat') {
      const stats = statSync(dir, { throwIfNoEntry: false });
      return stats === undefined ? 'gone' : stats.size;
    }
    return readdirSync(dir).length;
  } catch (error) {
    if (isDenied(error)) return 'denied';
    if (isGone(error)) return 'gone';
    throw error;
  }
}

const AT_PAGESZ = 6;

/**
 * The kernel's page size (resident memory in /proc/<pid>/stat is in pages): 4 KiB on x86-64, 4, 16 or
 * 64 KiB on arm64. Read from our own auxiliary vector, which the kernel fills in for every process; a
 * container shares the host's kernel, so ours is the host's.
 */
export function systemPageSize(): number {
  try {
    const auxv = readFileSync('/proc/self/auxv');
    const word = ['arm', 'ia32', 'mips', 'mipsel', 'ppc'].includes(arch()) ? 4 : 8;
    const little = endianness() === 'LE';
    const at = (offset: number): number =>
      word === 8
        ? Number(little ? auxv.readBigUInt64LE(offset) : auxv.readBigUInt64BE(offset))
        : little
          ? auxv.readUInt32LE(offset)
          : auxv.readUInt32BE(offset);
    for (let offset = 0; offset + 2 * word <= auxv.length; offset += 2 * word) {
      const key = at(offset);
      const value = at(offset + word);
      if (key === AT_PAGESZ && value > 0) return value;
      if (key === 0) break;
    }
  } catch {
    // not Linux, or /proc is not mounted: fall through to the common size
  }
  return 4096;
}
