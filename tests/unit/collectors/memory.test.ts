import { describe, expect, it } from 'vitest';
import { memoryCollector } from '../../../src/exporter/collectors/memory.js';
import { collectorsConfig, fixtureContext, silent } from './support.js';

describe('memory collector', () => {
  it('converts the kB (KiB) of /proc/meminfo to bytes', async () => {
    const families = await memoryCollector.create(collectorsConfig(), silent).collect(fixtureContext('crafted'));
    expect(families.map((f) => [f.name, f.type, f.samples.map((s) => s.value)])).toEqual([
      ['ide_host_memory_total_bytes', 'gauge', [16384 * 1024]],
      ['ide_host_memory_available_bytes', 'gauge', [4096 * 1024]],
      ['ide_host_memory_free_bytes', 'gauge', [8192]],
      ['ide_host_memory_buffers_bytes', 'gauge', [12288]],
      ['ide_host_memory_cached_bytes', 'gauge', [1024000]],
      ['ide_host_swap_total_bytes', 'gauge', [2097152]],
      ['ide_host_swap_free_bytes', 'gauge', [1048576]],
    ]);
  });

  it('reads a real /proc/meminfo, swapless as this machine is', async () => {
    const families = await memoryCollector.create(collectorsConfig(), silent).collect(fixtureContext('real'));
    expect(families.map((f) => [f.name, f.samples[0]?.value])).toEqual([
      ['ide_host_memory_total_bytes', 24683620 * 1024],
      ['ide_host_memory_available_bytes', 24343272 * 1024],
      ['ide_host_memory_free_bytes', 24236976 * 1024],
      ['ide_host_memory_buffers_bytes', 3468 * 1024],
      ['ide_host_memory_cached_bytes', 283336 * 1024],
      ['ide_host_swap_total_bytes', 0],
      ['ide_host_swap_free_bytes', 0],
    ]);
  });
});
