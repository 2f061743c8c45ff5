import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProcessCollector, processCollector, type ProcessCollector, type ProcessCollectorOptions } from '../../../src/exporter/collectors/process.js';
import { countFds, parsePidStat, type FdCount } from '../../../src/exporter/collectors/process/pid-files.js';
import type { MetricFamily } from '../../../src/exporter/metric-family.js';
import { FakeProcfs, statLine } from './process-fake-procfs.js';
import { collectorsConfig, contextOf, names, silent } from './support.js';

const PAGE = 4096;
let fake: FakeProcfs;
let collectors: ProcessCollector[];

beforeEach(() => {
  fake = new FakeProcfs();
  collectors = [];
});
afterEach(() => {
  for (const c of collectors) c.close();
  fake.cleanup();
});

/** A collector over the fake tree; `denied` pids answer EACCES for their fd directory. */
function collectorFor(groups: unknown[], options: ProcessCollectorOptions & { denied?: number[]; restartWindow?: string } = {}) {
  const denied = new Set((options.denied ?? []).map((pid) => fake.dir(pid)));
  const config = collectorsConfig({ process: { groups, ...(options.restartWindow && { restart_window: options.restartWindow }) } });
  const collector = createProcessCollector(config, silent, {
    pageSize: PAGE,
    countFds: (dir): FdCount => (denied.has(dir) ? 'denied' : countFds(dir, 'readdir')),
    ...options,
  });
  collectors.push(collector);
  return collector;
}

const scrape = (c: ProcessCollector) => c.collect(contextOf(fake.reader()));

/** group → value (or `group/mode` → value for CPU) of one family; absent family → {}. */
function byGroup(families: readonly MetricFamily[], name: string): Record<string, number> {
  const family = families.find((f) => f.name === name);
  return Object.fromEntries(
    (family?.samples ?? []).map((s) => [s.labels.mode === undefined ? String(s.labels.group) : `${s.labels.group}/${s.labels.mode}`, s.value] as const),
  );
}

describe('parsePidStat', () => {
  const p = { comm: 'a) (b c', argv: [], state: 'D', utime: 12, stime: 34, threads: 5, start: 987654321, vsize: 123_456_789_012, rss: 4567, fds: 3 };

  it('counts the fields from the last parenthesis, so a comm with spaces and ")" does not shift them', () => {
    expect(parsePidStat(`${statLine(7, p)} 0 0 0\n`)).toEqual({
      comm: 'a) (b c',
      state: 'D',
      userTicks: 12,
      systemTicks: 34,
      threads: 5,
      startTicks: 987654321,
      virtualBytes: 123_456_789_012,
      residentPages: 4567,
    });
  });

  it('rejects a line cut before the resident size, or with a field that is not a number', () => {
    const line = statLine(7, p);
    // Fields 1–23 only (the comm's two spaces make two more tokens).
    expect(parsePidStat(line.split(' ').slice(0, 25).join(' '))).toBeUndefined();
    expect(parsePidStat(line.replace(' 987654321 ', ' 98x654321 '))).toBeUndefined();
    expect(parsePidStat('7 no parentheses')).toBeUndefined();
    expect(parsePidStat('')).toBeUndefined();
  });
});

describe('process collector: matching', () => {
  it('matches by comm, by argv[0] basename, by a name the kernel truncated, by cmdline regex and by pid file', async () => {
    const pidFile = path.join(fake.root, 'backend.pid');
    writeFileSync(pidFile, '40\n');
    fake.add(10, { comm: 'rust-analyzer', argv: ['/usr/bin/rust-analyzer'] });
    fake.add(11, { comm: 'ra-wrapper', argv: ['/opt/ra/rust-analyzer', '--stdio'] });
    fake.add(12, { comm: 'very-long-serve', argv: ['x'] }); // comm of "very-long-server-name", cut to 15 bytes
    fake.add(20, { comm: 'node', argv: ['node', '/usr/lib/node_modules/typescript-language-server/lib/cli.mjs', '--stdio'] });
    fake.add(30, { comm: 'node', argv: ['node', 'unrelated.js'] });
    fake.add(40, { comm: 'java', argv: ['java', '-jar', 'backend.jar'] });
    fake.add(2, { comm: 'kthreadd', argv: [] });
    const c = collectorFor([
      { name: 'rust-analyzer', comm: ['rust-analyzer'] },
      { name: 'long', comm: 'very-long-server-name' },
      { name: 'tsserver', cmdline: 'typescript-language-server.*--stdio' },
      { name: 'ide-backend', pid_file: pidFile },
      { name: 'everything', cmdline: '.*' },
    ]);
    const counts = byGroup(await scrape(c), 'ide_process_count');
    // pid 30 falls through to the catch-all; the kernel thread (no command line) matches nothing.
    expect(counts).toEqual({ 'rust-analyzer': 2, long: 1, tsserver: 1, 'ide-backend': 1, everything: 1 });
  });

  it('puts a process in the first matching group only', async () => {
    fake.add(10, { comm: 'rust-analyzer', argv: ['rust-analyzer'] });
    const c = collectorFor([
      { name: 'first', cmdline: 'rust' },
      { name: 'second', comm: 'rust-analyzer' },
    ]);
    expect(byGroup(await scrape(c), 'ide_process_count')).toEqual({ first: 1, second: 0 });
  });

  it('follows a pid file rewritten by a restarted daemon, and treats a missing or garbled one as an empty group', async () => {
    const pidFile = path.join(fake.root, 'd.pid');
    fake.add(40, { comm: 'd', argv: ['d'] });
    fake.add(41, { comm: 'd', argv: ['d'] });
    const c = collectorFor([{ name: 'd', pid_file: pidFile }]);
    expect(byGroup(await scrape(c), 'ide_process_count')).toEqual({ d: 0 });
    writeFileSync(pidFile, '40');
    expect(byGroup(await scrape(c), 'ide_process_count')).toEqual({ d: 1 });
    writeFileSync(pidFile, 'not a pid');
    expect(byGroup(await scrape(c), 'ide_process_count')).toEqual({ d: 0 });
    writeFileSync(pidFile, '41\n');
    expect(byGroup(await scrape(c), 'ide_process_count')).toEqual({ d: 1 });
  });

  it("checks a young process again (it may not have exec'd yet) but caches a settled one until its comm changes", async () => {
    fake.setUptime(1000);
    // Started 0.5 s ago: a fork of the IDE's node that has not exec'd its server yet.
    fake.add(50, { comm: 'node', argv: ['node', 'ide-main.js'], start: 99_950 });
    const c = collectorFor([{ name: 'tsserver', cmdline: 'tsserver' }]);
    expect(byGroup(await scrape(c), 'ide_process_count')).toEqual({ tsserver: 0 });
    fake.update(50, { argv: ['node', 'tsserver.js'] });
    fake.setUptime(1005);
    expect(byGroup(await scrape(c), 'ide_process_count')).toEqual({ tsserver: 1 });
    // Settled now: a changed command line under the same comm is not read again…
    fake.update(50, { argv: ['node', 'renamed.js'] });
    expect(byGroup(await scrape(c), 'ide_process_count')).toEqual({ tsserver: 1 });
    // …but an exec that changes the comm is.
    fake.update(50, { comm: 'bash', argv: ['bash'] });
    expect(byGroup(await scrape(c), 'ide_process_count')).toEqual({ tsserver: 0 });
  });
});

describe('process collector: values', () => {
  it('sums CPU, memory, threads and descriptors over the group and reports the oldest start', async () => {
    fake.add(10, { comm: 'ra', argv: ['ra'], utime: 150, stime: 25, rss: 1000, vsize: 1_000_000, threads: 4, fds: 5, start: 5000 });
    fake.add(11, { comm: 'ra', argv: ['ra'], utime: 50, stime: 75, rss: 24, vsize: 24, threads: 2, fds: 2, start: 3000 });
    const families = await scrape(collectorFor([{ name: 'ra', comm: 'ra' }]));
    expect(names(families)).toEqual([
      'ide_process_count',
      'ide_process_cpu_seconds_total',
      'ide_process_resident_memory_bytes',
      'ide_process_virtual_memory_bytes',
      'ide_process_open_fds',
      'ide_process_open_fds_unreadable',
      'ide_process_threads',
      'ide_process_oldest_start_time_seconds',
      'ide_process_restarts_total',
    ]);
    expect(byGroup(families, 'ide_process_count')).toEqual({ ra: 2 });
    expect(byGroup(families, 'ide_process_cpu_seconds_total')).toEqual({ 'ra/user': 2, 'ra/system': 1 });
    expect(byGroup(families, 'ide_process_resident_memory_bytes')).toEqual({ ra: 1024 * PAGE });
    expect(byGroup(families, 'ide_process_virtual_memory_bytes')).toEqual({ ra: 1_000_024 });
    expect(byGroup(families, 'ide_process_threads')).toEqual({ ra: 6 });
    expect(byGroup(families, 'ide_process_open_fds')).toEqual({ ra: 7 });
    expect(byGroup(families, 'ide_process_open_fds_unreadable')).toEqual({ ra: 0 });
    expect(byGroup(families, 'ide_process_oldest_start_time_seconds')).toEqual({ ra: fake.bootTime + 30 });
    expect(byGroup(families, 'ide_process_restarts_total')).toEqual({ ra: 0 });
    for (const f of families) expect(f.help).toMatch(/\.$/);
  });

  it('reads a comm holding spaces and parentheses', async () => {
    fake.add(10, { comm: 'a) (b c', argv: ['x'] });
    expect(byGroup(await scrape(collectorFor([{ name: 'odd', comm: 'a) (b c' }])), 'ide_process_count')).toEqual({ odd: 1 });
  });

  it('exports count 0, CPU and restarts for an empty group, and no other series', async () => {
    fake.add(10, { comm: 'other', argv: ['other'] });
    const families = await scrape(collectorFor([{ name: 'gone', comm: 'nothing-like-this' }]));
    expect(names(families)).toEqual(['ide_process_count', 'ide_process_cpu_seconds_total', 'ide_process_restarts_total']);
    expect(byGroup(families, 'ide_process_count')).toEqual({ gone: 0 });
    expect(byGroup(families, 'ide_process_cpu_seconds_total')).toEqual({ 'gone/user': 0, 'gone/system': 0 });
    expect(byGroup(families, 'ide_process_restarts_total')).toEqual({ gone: 0 });
  });

  it('exports nothing and reads nothing without groups', async () => {
    const c = createProcessCollector(collectorsConfig(), silent);
    collectors.push(c);
    expect(await c.collect(contextOf(fake.reader()))).toEqual([]);
    expect(processCollector.create(collectorsConfig(), silent).name).toBe('process');
  });

  it('skips a process that vanishes between the listing and its reads, without failing', async () => {
    fake.add(10, { comm: 'ra', argv: ['ra'], fds: 4 });
    fake.add(11, { comm: 'ra', argv: ['ra'], fds: 4 });
    fake.add(12, { comm: 'ra', argv: ['ra'], fds: 4 });
    fake.add(13, { comm: 'ra', argv: ['ra'], fds: 4 });
    const { rmSync } = await import('node:fs');
    rmSync(path.join(fake.dir(11), 'stat')); // gone before its stat was read
    rmSync(path.join(fake.dir(12), 'cmdline')); // gone between stat and cmdline
    rmSync(path.join(fake.dir(13), 'fd'), { recursive: true }); // gone before its descriptors were counted
    const families = await scrape(collectorFor([{ name: 'ra', comm: 'ra' }]));
    expect(byGroup(families, 'ide_process_count')).toEqual({ ra: 2 });
    expect(byGroup(families, 'ide_process_open_fds')).toEqual({ ra: 4 });
    expect(byGroup(families, 'ide_process_open_fds_unreadable')).toEqual({ ra: 0 });
  });

  it('counts processes whose descriptors it may not read, and omits open_fds when it could read none', async () => {
    fake.add(10, { comm: 'ra', argv: ['ra'], fds: 6 });
    fake.add(11, { comm: 'ra', argv: ['ra'], fds: 9 });
    fake.add(20, { comm: 'other-user', argv: ['x'], fds: 9 });
    const families = await scrape(
      collectorFor(
        [
          { name: 'ra', comm: 'ra' },
          { name: 'theirs', comm: 'other-user' },
        ],
        { denied: [11, 20] },
      ),
    );
    expect(byGroup(families, 'ide_process_open_fds')).toEqual({ ra: 6 });
    expect(byGroup(families, 'ide_process_open_fds_unreadable')).toEqual({ ra: 1, theirs: 1 });
    expect(byGroup(families, 'ide_process_count')).toEqual({ ra: 2, theirs: 1 });
  });
});

describe('process collector: state across scrapes', () => {
  it('keeps the CPU time of exited members, so the counter never goes backwards', async () => {
    fake.add(10, { comm: 'ra', argv: ['ra'], utime: 300, stime: 100 });
    fake.add(11, { comm: 'ra', argv: ['ra'], utime: 200, stime: 50 });
    const c = collectorFor([{ name: 'ra', comm: 'ra' }]);
    expect(byGroup(await scrape(c), 'ide_process_cpu_seconds_total')).toEqual({ 'ra/user': 5, 'ra/system': 1.5 });
    fake.update(10, { utime: 400 });
    fake.remove(11);
    expect(byGroup(await scrape(c), 'ide_process_cpu_seconds_total')).toEqual({ 'ra/user': 6, 'ra/system': 1.5 });
    fake.remove(10);
    const empty = await scrape(c);
    expect(byGroup(empty, 'ide_process_cpu_seconds_total')).toEqual({ 'ra/user': 6, 'ra/system': 1.5 });
    expect(byGroup(empty, 'ide_process_count')).toEqual({ ra: 0 });
    fake.add(12, { comm: 'ra', argv: ['ra'], utime: 10, stime: 10 });
    expect(byGroup(await scrape(c), 'ide_process_cpu_seconds_total')).toEqual({ 'ra/user': 6.1, 'ra/system': 1.6 });
  });

  it('does not count a process twice when it moves between groups', async () => {
    const pidFile = path.join(fake.root, 'p.pid');
    writeFileSync(pidFile, '10');
    fake.add(10, { comm: 'ra', argv: ['ra'], utime: 100 });
    const c = collectorFor([
      { name: 'by-pid', pid_file: pidFile },
      { name: 'by-name', comm: 'ra' },
    ]);
    expect(byGroup(await scrape(c), 'ide_process_cpu_seconds_total')).toMatchObject({ 'by-pid/user': 1, 'by-name/user': 0 });
    writeFileSync(pidFile, '99');
    fake.update(10, { utime: 150 });
    expect(byGroup(await scrape(c), 'ide_process_cpu_seconds_total')).toMatchObject({ 'by-pid/user': 1.5, 'by-name/user': 0 });
    fake.update(10, { utime: 170 });
    expect(byGroup(await scrape(c), 'ide_process_cpu_seconds_total')).toMatchObject({ 'by-pid/user': 1.5, 'by-name/user': 0.2 });
  });

  it('counts a restart when a new pid replaces a gone one, also across an empty scrape and a reused pid', async () => {
    let now = 1_000_000;
    fake.add(10, { comm: 'ra', argv: ['ra'] });
    fake.add(11, { comm: 'ra', argv: ['ra'] });
    const c = collectorFor([{ name: 'ra', comm: 'ra' }], { now: () => now });
    const restarts = async () => byGroup(await scrape(c), 'ide_process_restarts_total').ra;
    expect(await restarts()).toBe(0); // the first sight of running processes is no restart
    fake.remove(10);
    fake.add(12, { comm: 'ra', argv: ['ra'] });
    now += 15_000;
    expect(await restarts()).toBe(1); // replaced between two scrapes
    fake.remove(12);
    now += 15_000;
    expect(await restarts()).toBe(1); // gone, nothing new yet
    fake.add(13, { comm: 'ra', argv: ['ra'] });
    now += 15_000;
    expect(await restarts()).toBe(2); // back after a scrape that saw it missing
    fake.update(13, { start: 9999 }); // pid 13 reused by a new process of the group
    now += 15_000;
    expect(await restarts()).toBe(3);
    fake.add(14, { comm: 'ra', argv: ['ra'] });
    now += 15_000;
    expect(await restarts()).toBe(3); // the group grew: nothing was replaced
  });

  it('does not count a start long after the group went away as a restart', async () => {
    let now = 0;
    fake.add(10, { comm: 'ra', argv: ['ra'] });
    const c = collectorFor([{ name: 'ra', comm: 'ra' }], { now: () => now, restartWindow: '5m' });
    await scrape(c);
    fake.remove(10);
    now += 60_000;
    await scrape(c);
    fake.add(11, { comm: 'ra', argv: ['ra'] });
    now += 6 * 60_000;
    expect(byGroup(await scrape(c), 'ide_process_restarts_total')).toEqual({ ra: 0 });
    expect(byGroup(await scrape(c), 'ide_process_count')).toEqual({ ra: 1 });
  });

  it('counts a zombie as exited: not running, its CPU time kept', async () => {
    fake.add(10, { comm: 'ra', argv: ['ra'], utime: 100, rss: 50 });
    const c = collectorFor([{ name: 'ra', comm: 'ra' }]);
    await scrape(c);
    fake.update(10, { state: 'Z', argv: [], utime: 120, rss: 0 });
    const families = await scrape(c);
    expect(byGroup(families, 'ide_process_count')).toEqual({ ra: 0 });
    expect(byGroup(families, 'ide_process_cpu_seconds_total')).toMatchObject({ 'ra/user': 1.2 });
    expect(byGroup(families, 'ide_process_resident_memory_bytes')).toEqual({});
  });

  it('holds the stat files of members and of other processes, and releases them when they go and on close', async () => {
    fake.add(10, { comm: 'ra', argv: ['ra'] });
    fake.add(11, { comm: 'ra', argv: ['ra'] });
    fake.add(12, { comm: 'other', argv: ['other'] });
    const c = collectorFor([{ name: 'ra', comm: 'ra' }]);
    await scrape(c);
    expect(c.heldFiles).toBe(3);
    fake.update(10, { utime: 500 }); // read through the held file
    expect(byGroup(await scrape(c), 'ide_process_cpu_seconds_total')).toMatchObject({ 'ra/user': 5 });
    fake.remove(11);
    await scrape(c);
    expect(c.heldFiles).toBe(2);
    c.close();
    expect(c.heldFiles).toBe(0);
  });
});
