import { describe, expect, it } from 'vitest';
import { COLLECTORS } from '../../../src/exporter/collectors/index.js';
import { filesystemCollector } from '../../../src/exporter/collectors/filesystem.js';
import { ProcReader } from '../../../src/exporter/procfs.js';
import { collectorsConfig, contextOf, samplesOf, silent } from './support.js';

/** The families each collector must produce on any Linux host; pressure depends on the kernel, filesystem on the mounts. */
const CORE: Record<string, readonly string[]> = {
  cpu: ['ide_host_cpu_seconds_total'],
  load: ['ide_host_load1', 'ide_host_load5', 'ide_host_load15'],
  stat: ['ide_host_context_switches_total', 'ide_host_interrupts_total', 'ide_host_boot_time_seconds', 'ide_host_procs_running', 'ide_host_procs_blocked'],
  memory: [
    'ide_host_memory_total_bytes',
    'ide_host_memory_available_bytes',
    'ide_host_memory_free_bytes',
    'ide_host_memory_buffers_bytes',
    'ide_host_memory_cached_bytes',
    'ide_host_swap_total_bytes',
    'ide_host_swap_free_bytes',
  ],
  filesystem: [],
  diskio: ['ide_host_disk_read_bytes_total', 'ide_host_disk_written_bytes_total', 'ide_host_disk_io_time_seconds_total'],
  network: ['ide_host_network_receive_bytes_total', 'ide_host_network_transmit_bytes_total'],
  filefd: ['ide_host_file_descriptors_allocated', 'ide_host_file_descriptors_max'],
  pressure: [],
  hostinfo: ['ide_host_os_info', 'ide_host_cpu_info'],
};

describe.runIf(process.platform === 'linux')('every collector on this machine’s /proc', () => {
  const ctx = contextOf(new ProcReader());

  it.each(COLLECTORS.map((d) => [d.name, d] as const))(
    '%s returns its core metrics with finite values',
    async (name, definition) => {
      const families = await definition.create(collectorsConfig(), silent).collect(ctx);
      expect(families.map((f) => f.name)).toEqual(expect.arrayContaining([...(CORE[name] ?? [])]));
      for (const family of families) {
        expect(family.name).toMatch(/^ide_host_/);
        expect(family.help).toMatch(/\.$/);
        expect(family.samples.length).toBeGreaterThan(0);
        for (const s of family.samples) expect(Number.isFinite(s.value)).toBe(true);
      }
    },
    30_000,
  );

  it('cpu has all eight modes for every core', async () => {
    const families = await COLLECTORS[0].create(collectorsConfig(), silent).collect(ctx);
    const samples = samplesOf(families, 'ide_host_cpu_seconds_total');
    expect(samples.length % 8).toBe(0);
    expect(samples.length).toBeGreaterThanOrEqual(8);
  });

  it('filesystem reports the root mount when nothing is excluded', async () => {
    const config = collectorsConfig({ filesystem: { mount_points_exclude: '^$', fs_types_exclude: '^$' } });
    const families = await filesystemCollector.create(config, silent).collect(ctx);
    expect(samplesOf(families, 'ide_host_filesystem_device_error').find((s) => s.labels.mountpoint === '/')?.value).toBe(0);
    expect(samplesOf(families, 'ide_host_filesystem_size_bytes').find((s) => s.labels.mountpoint === '/')?.value).toBeGreaterThan(0);
  });
});
