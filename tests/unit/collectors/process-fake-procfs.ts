import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ProcReader } from '../../../src/exporter/procfs.js';

export interface FakeProcess {
  comm: string;
  /** argv; written NUL-separated with a trailing NUL, as the kernel does. */
  argv: readonly string[];
  state: string;
  /** CPU ticks (1/100 s). */
  utime: number;
  stime: number;
  threads: number;
  /** Ticks after boot. */
  start: number;
  vsize: number;
  /** Pages. */
  rss: number;
  fds: number;
}

const DEFAULTS: FakeProcess = {
  comm: 'sleep',
  argv: ['sleep', '600'],
  state: 'S',
  utime: 0,
  stime: 0,
  threads: 1,
  start: 1000,
  vsize: 8_000_000,
  rss: 100,
  fds: 3,
};

/** Writes a /proc/<pid>/stat line with every field up to rss (24) in place, the comm in parentheses. */
export function statLine(pid: number, p: FakeProcess): string {
  const f = new Array<string | number>(52).fill(0);
  // f[i] holds field i + 1.
  f[0] = pid;
  f[1] = `(${p.comm})`;
  f[2] = p.state;
  f[3] = 1;
  f[13] = p.utime;
  f[14] = p.stime;
  f[17] = 20;
  f[19] = p.threads;
  f[21] = p.start;
  f[22] = p.vsize;
  f[23] = p.rss;
  return `${f.join(' ')}\n`;
}

/**
 * A procfs tree in a temporary directory: /proc/stat (btime), /proc/uptime and one directory per process
 * with stat, cmdline and an fd/ directory holding `fds` entries. Changes rewrite files in place, the way
 * the kernel regenerates them, so a stat file the collector holds open shows the new values.
 */
export class FakeProcfs {
  readonly root = mkdtempSync(path.join(tmpdir(), 'ide-monitor-procfs-'));
  readonly bootTime = 1_700_000_000;
  private readonly processes = new Map<number, FakeProcess>();

  constructor(uptimeSeconds = 100_000) {
    writeFileSync(path.join(this.root, 'stat'), `cpu  1 2 3 4 5 6 7 8 0 0\nbtime ${this.bootTime}\nprocesses 1234\n`);
    this.setUptime(uptimeSeconds);
  }

  setUptime(seconds: number): void {
    writeFileSync(path.join(this.root, 'uptime'), `${seconds.toFixed(2)} 1234.00\n`);
  }

  reader(): ProcReader {
    return new ProcReader({ procfs: this.root, rootfs: '/' });
  }

  dir(pid: number): string {
    return path.join(this.root, String(pid));
  }

  add(pid: number, process: Partial<FakeProcess> = {}): void {
    const p = { ...DEFAULTS, ...process };
    this.processes.set(pid, p);
    mkdirSync(path.join(this.dir(pid), 'fd'), { recursive: true });
    this.write(pid, p);
  }

  update(pid: number, changes: Partial<FakeProcess>): void {
    const p = { ...(this.processes.get(pid) ?? DEFAULTS), ...changes };
    this.processes.set(pid, p);
    this.write(pid, p);
  }

  remove(pid: number): void {
    this.processes.delete(pid);
    rmSync(this.dir(pid), { recursive: true, force: true });
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  private write(pid: number, p: FakeProcess): void {
    const dir = this.dir(pid);
    writeFileSync(path.join(dir, 'stat'), statLine(pid, p));
    writeFileSync(path.join(dir, 'cmdline'), p.argv.length === 0 ? '' : `${p.argv.join('\0')}\0`);
    const fdDir = path.join(dir, 'fd');
    rmSync(fdDir, { recursive: true, force: true });
    mkdirSync(fdDir);
    for (let fd = 0; fd < p.fds; fd++) writeFileSync(path.join(fdDir, String(fd)), '');
  }
}
