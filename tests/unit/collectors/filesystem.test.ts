import type { StatsFs } from 'node:fs';
import { statfs as realStatfs } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFilesystemCollector, filesystemCollector, parseMounts, type StatFs } from '../../../src/exporter/collectors/filesystem.js';
import type { MetricFamily } from '../../../src/exporter/metric-family.js';
import { collectorsConfig, contextOf, FailingReader, FIXTURES, fixtureContext, fixtureReader, names, recordingLogger, samplesOf, silent } from './support.js';

const ALL_FAMILIES = [
  'ide_host_filesystem_size_bytes',
  'ide_host_filesystem_avail_bytes',
  'ide_host_filesystem_free_bytes',
  'ide_host_filesystem_files',
  'ide_host_filesystem_files_free',
  'ide_host_filesystem_readonly',
  'ide_host_filesystem_device_error',
];

/** mountpoint → value of one family. */
function byMountPoint(families: readonly MetricFamily[], name: string): Record<string, number> {
  return Object.fromEntries(samplesOf(families, name).map((s) => [String(s.labels.mountpoint), s.value] as const));
}

/**
 * The real statfs, except that paths in `hang` do not answer until released (a dead NFS server coming
 * back) and paths in `fail` fail with the given code; records every call.
 */
function fakeStatfs(options: { hang?: readonly string[]; fail?: Readonly<Record<string, string>> } = {}) {
  const calls: string[] = [];
  const hung = new Set(options.hang);
  const pending = new Map<string, (stats: StatsFs) => void>();
  const release = async (target: string): Promise<void> => {
    hung.delete(target);
    pending.get(target)?.(await realStatfs(target));
  };
  const statfs: StatFs = (target) => {
    calls.push(target);
    if (hung.has(target)) return new Promise<StatsFs>((resolve) => pending.set(target, resolve));
    const code = options.fail?.[target];
    if (code !== undefined) return Promise.reject(Object.assign(new Error(code), { code }));
    return realStatfs(target);
  };
  return { statfs, calls, release };
}

describe('parseMounts', () => {
  it('unescapes octal escapes and keeps the last mount stacked on a point', () => {
    const mounts = parseMounts('tmpfs /tmp tmpfs ro 0 0\n/dev/sdb1 /mnt/my\\040disk\\011tab\\134x ext4 rw,ro2 0 0\ntmpfs2 /tmp tmpfs rw,size=1k 0 0\n');
    expect(mounts).toEqual([
      { device: '/dev/sdb1', mountPoint: '/mnt/my disk\ttab\\x', fsType: 'ext4', readOnly: false },
      { device: 'tmpfs2', mountPoint: '/tmp', fsType: 'tmpfs', readOnly: false },
    ]);
  });

  it('recovers any mount point the kernel escaped', () => {
    const escape = (s: string) => s.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (name) => {
        const mountPoint = `/${name}`;
        const [mount] = parseMounts(`dev ${escape(mountPoint)} ext4 rw 0 0\n`);
        expect(mount?.mountPoint).toBe(mountPoint);
      }),
    );
  });
});

describe('filesystem collector', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports real mounts from a crafted table, after exclusions and de-duplication', async () => {
    const { statfs, calls } = fakeStatfs();
    const collector = createFilesystemCollector(collectorsConfig(), silent, statfs);
    const families = await collector.collect(fixtureContext('crafted'));

    expect(names(families)).toEqual(ALL_FAMILIES);
    expect(families.every((f) => f.type === 'gauge')).toBe(true);
    expect(calls.sort()).toEqual(['/', '/mnt/backup disk', '/tmp', '/usr']);
    expect(samplesOf(families, 'ide_host_filesystem_device_error')).toEqual([
      { labels: { device: '/dev/vda', mountpoint: '/', fstype: 'ext4' }, value: 0 },
      { labels: { device: 'tmpfs', mountpoint: '/tmp', fstype: 'tmpfs' }, value: 0 },
      { labels: { device: '/dev/vdc', mountpoint: '/usr', fstype: 'ext4' }, value: 0 },
      // Absent on this machine: statfs fails with ENOENT, so no sizes.
      { labels: { device: '/dev/vdb', mountpoint: '/mnt/backup disk', fstype: 'ext4' }, value: 1 },
    ]);
    expect(byMountPoint(families, 'ide_host_filesystem_readonly')).toEqual({ '/': 0, '/tmp': 0, '/usr': 1, '/mnt/backup disk': 0 });

    const root = await realStatfs('/');
    const sizes = {
      ide_host_filesystem_size_bytes: root.blocks * root.bsize,
      ide_host_filesystem_files: root.files,
    };
    for (const [name, value] of Object.entries(sizes)) {
      expect(byMountPoint(families, name)).toEqual({ '/': value, '/tmp': expect.any(Number), '/usr': expect.any(Number) });
    }
    const avail = byMountPoint(families, 'ide_host_filesystem_avail_bytes')['/'] ?? NaN;
    const free = byMountPoint(families, 'ide_host_filesystem_free_bytes')['/'] ?? NaN;
    expect(avail % root.bsize).toBe(0);
    expect(avail).toBeLessThanOrEqual(free);
    expect(free).toBeLessThanOrEqual(root.blocks * root.bsize);
  });

  it('resolves mount points under the host root, as in a container with the host mounted at rootfs', async () => {
    const rootfs = path.join(FIXTURES, 'container', 'rootfs');
    const { statfs, calls } = fakeStatfs();
    const collector = createFilesystemCollector(collectorsConfig(), silent, statfs);
    const families = await collector.collect(fixtureContext('container', rootfs));

    expect(calls).toEqual([path.join(rootfs, 'srv', 'team files')]);
    const labels = { device: '/dev/sdb1', mountpoint: '/srv/team files', fstype: 'xfs' };
    expect(samplesOf(families, 'ide_host_filesystem_device_error')).toEqual([{ labels, value: 0 }]);
    expect(samplesOf(families, 'ide_host_filesystem_readonly')).toEqual([{ labels, value: 1 }]);
    expect(samplesOf(families, 'ide_host_filesystem_size_bytes')).toEqual([{ labels, value: expect.any(Number) }]);
  });

  it('falls back to self/mounts when PID 1 is absent or forbidden (hidepid), and fails on other errors', async () => {
    const root = [{ labels: { device: '/dev/mapper/root', mountpoint: '/', fstype: 'ext4' }, value: 0 }];
    const absent = await filesystemCollector.create(collectorsConfig(), silent).collect(fixtureContext('self-mounts-only'));
    expect(samplesOf(absent, 'ide_host_filesystem_device_error')).toEqual(root);

    const forbidden = new FailingReader(fixtureReader('self-mounts-only'), { '1/mounts': 'EACCES' });
    const hidden = await filesystemCollector.create(collectorsConfig(), silent).collect(contextOf(forbidden));
    expect(samplesOf(hidden, 'ide_host_filesystem_device_error')).toEqual(root);

    const broken = new FailingReader(fixtureReader('self-mounts-only'), { '1/mounts': 'EIO' });
    await expect(filesystemCollector.create(collectorsConfig(), silent).collect(contextOf(broken))).rejects.toMatchObject({ code: 'EIO' });
  });

  it('reports a mount whose statfs fails as a device error, without sizes', async () => {
    const { statfs } = fakeStatfs({ fail: { '/tmp': 'EACCES' } });
    const families = await createFilesystemCollector(collectorsConfig(), silent, statfs).collect(fixtureContext('crafted'));
    expect(byMountPoint(families, 'ide_host_filesystem_device_error')).toMatchObject({ '/': 0, '/tmp': 1 });
    expect(Object.keys(byMountPoint(families, 'ide_host_filesystem_size_bytes'))).toEqual(['/', '/usr']);
  });

  it('stops waiting for a hung statfs, never calls it again while it is out, and logs the stall once', async () => {
    const { statfs, calls, release } = fakeStatfs({ hang: ['/tmp'] });
    const { logger, records } = recordingLogger();
    // A 200 ms collector timeout gives each statfs min(200 / 2, 2000) = 100 ms.
    const collector = createFilesystemCollector(collectorsConfig({ timeout: '200ms' }), logger, statfs);

    const started = performance.now();
    const first = await collector.collect(fixtureContext('crafted'));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(1000);
    expect(byMountPoint(first, 'ide_host_filesystem_device_error')).toMatchObject({ '/': 0, '/tmp': 1 });
    expect(byMountPoint(first, 'ide_host_filesystem_size_bytes')).not.toHaveProperty('/tmp');
    expect(byMountPoint(first, 'ide_host_filesystem_readonly')).toHaveProperty('/tmp', 0);

    const second = await collector.collect(fixtureContext('crafted'));
    expect(calls.filter((c) => c === '/tmp')).toHaveLength(1);
    expect(calls.filter((c) => c === '/')).toHaveLength(2);
    expect(byMountPoint(second, 'ide_host_filesystem_device_error')).toMatchObject({ '/': 0, '/tmp': 1 });

    const warnings = records.filter((r) => r.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ mountpoint: '/tmp', wait_ms: 100 });

    // The stuck call finally answers: the next scrape asks again and the mount is healthy.
    await release('/tmp');
    await new Promise((resolve) => setImmediate(resolve));
    expect(records.filter((r) => r.level === 30).map((r) => r.mountpoint)).toEqual(['/tmp']);
    calls.length = 0;
    const third = await collector.collect(fixtureContext('crafted'));
    expect(calls).toContain('/tmp');
    expect(byMountPoint(third, 'ide_host_filesystem_device_error')).toMatchObject({ '/': 0, '/tmp': 0 });
    expect(byMountPoint(third, 'ide_host_filesystem_size_bytes')).toHaveProperty('/tmp');
  });

  it('waits at most 2 s per mount under the default 5 s collector timeout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let called!: () => void;
    const statfsCalled = new Promise<void>((resolve) => (called = resolve));
    const statfs: StatFs = () => {
      called();
      return new Promise<StatsFs>(() => {});
    };
    const collector = createFilesystemCollector(collectorsConfig(), silent, statfs);
    let done = false;
    const result = collector.collect(fixtureContext('self-mounts-only')).finally(() => (done = true));
    await statfsCalled;
    await vi.advanceTimersByTimeAsync(1999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
    expect(samplesOf(await result, 'ide_host_filesystem_device_error')[0]?.value).toBe(1);
  });

  it('stops waiting as soon as the scrape is aborted', async () => {
    const { statfs } = fakeStatfs({ hang: ['/'] });
    const controller = new AbortController();
    const collector = createFilesystemCollector(collectorsConfig(), silent, statfs);
    const result = collector.collect(contextOf(fixtureReader('self-mounts-only'), controller.signal));
    setTimeout(() => controller.abort(), 20);
    const started = performance.now();
    const families = await result;
    expect(performance.now() - started).toBeLessThan(1000);
    expect(samplesOf(families, 'ide_host_filesystem_device_error')[0]?.value).toBe(1);
  });
});
