import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createProcessCollector, type ProcessCollector } from '../../../src/exporter/collectors/process.js';
import { countFds, detectFdCountMethod, parsePidStat, systemPageSize } from '../../../src/exporter/collectors/process/pid-files.js';
import type { MetricFamily } from '../../../src/exporter/metric-family.js';
import { ProcReader } from '../../../src/exporter/procfs.js';
import { collectorsConfig, contextOf, silent } from './support.js';

const children: ChildProcess[] = [];
const collectors: ProcessCollector[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const c of collectors.splice(0)) c.close();
});

/** A `sleep` whose argv[0] carries a marker no other process on the machine has. */
async function sleeper(marker: string): Promise<ChildProcess> {
  const child = spawn('sleep', ['30'], { argv0: marker, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
  return child;
}

/** What this process holds open under /proc/<pid>: `stat` and/or `fd` (the collector's held files). */
function heldFor(pid: number): string[] {
  const held: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(`/proc/${pid}/`)) held.push(target.slice(`/proc/${pid}/`.length));
    } catch {
      // the descriptor readdir itself used, closed by now
    }
  }
  return held.sort();
}

const value = (families: readonly MetricFamily[], name: string): number | undefined => families.find((f) => f.name === name)?.samples[0]?.value;

describe.runIf(process.platform === 'linux')("process collector on this machine's /proc", () => {
  it('parses our own stat: comm, state, threads and a start time before now', () => {
    const stat = parsePidStat(readFileSync('/proc/self/stat', 'utf8'));
    expect(stat).toMatchObject({ state: 'R' });
    expect(stat!.threads).toBeGreaterThanOrEqual(1);
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    expect(stat!.startTicks / 100).toBeLessThanOrEqual(uptime);
  });

  it('knows the kernel page size', () => {
    expect(systemPageSize()).toBe(Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()));
  });

  it("counts a process's descriptors the same with stat(2) and readdir", async () => {
    const child = await sleeper(`ide-monitor-fds-${process.pid}`);
    const dir = `/proc/${child.pid}`;
    // stdin, stdout and stderr at least; the test runner may leak more into its children.
    const listed = countFds(dir, 'readdir');
    expect(listed).toBeGreaterThanOrEqual(3);
    if (detectFdCountMethod('/proc') === 'stat') expect(countFds(dir, 'stat')).toBe(listed);
  });

  it('follows a real process from start to exit, releasing its held files', async () => {
    const marker = `ide-monitor-real-${process.pid}-${Date.now()}`;
    const collector = createProcessCollector(collectorsConfig({ process: { groups: [{ name: 'sleepers', cmdline: `^${marker}` }] } }), silent);
    collectors.push(collector);
    const scrape = () => collector.collect(contextOf(new ProcReader()));
    expect(value(await scrape(), 'ide_process_count')).toBe(0);

    const child = await sleeper(marker);
    const families = await scrape();
    expect(value(families, 'ide_process_count')).toBe(1);
    expect(value(families, 'ide_process_resident_memory_bytes')).toBeGreaterThan(100_000);
    expect(value(families, 'ide_process_virtual_memory_bytes')).toBeGreaterThan(value(families, 'ide_process_resident_memory_bytes')!);
    expect(value(families, 'ide_process_threads')).toBe(1);
    expect(value(families, 'ide_process_open_fds')).toBe(countFds(`/proc/${child.pid}`, 'readdir'));
    expect(Math.abs(value(families, 'ide_process_oldest_start_time_seconds')! - Date.now() / 1000)).toBeLessThan(5);
    // Its stat file, and its fd directory where the directory's size is the descriptor count (Linux 6.2+).
    expect(heldFor(child.pid!)).toEqual(detectFdCountMethod('/proc') === 'stat' ? ['fd', 'stat'] : ['stat']);

    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(value(await scrape(), 'ide_process_count')).toBe(0);
    expect(heldFor(child.pid!)).toEqual([]);
    collector.close();
    expect(collector.heldFiles).toBe(0);
  });
});
