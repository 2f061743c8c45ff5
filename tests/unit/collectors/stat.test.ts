import { describe, expect, it } from 'vitest';
import { statCollector } from '../../../src/exporter/collectors/stat.js';
import { collectorsConfig, fixtureContext, silent } from './support.js';

describe('stat collector', () => {
  it('exports the counters and gauges of /proc/stat, taking the total from the intr line', async () => {
    const families = await statCollector.create(collectorsConfig(), silent).collect(fixtureContext('crafted'));
    expect(families.map((f) => [f.name, f.type, f.samples.map((s) => s.value)])).toEqual([
      ['ide_host_context_switches_total', 'counter', [1234567]],
      ['ide_host_interrupts_total', 'counter', [987654]],
      ['ide_host_boot_time_seconds', 'gauge', [1700000000]],
      ['ide_host_procs_running', 'gauge', [3]],
      ['ide_host_procs_blocked', 'gauge', [1]],
    ]);
  });

  it('reads a real /proc/stat, whose intr line has hundreds of columns', async () => {
    const families = await statCollector.create(collectorsConfig(), silent).collect(fixtureContext('real'));
    expect(families.map((f) => [f.name, f.samples[0]?.value])).toEqual([
      ['ide_host_context_switches_total', 707985],
      ['ide_host_interrupts_total', 324248],
      ['ide_host_boot_time_seconds', 1795623346],
      ['ide_host_procs_running', 1],
      ['ide_host_procs_blocked', 0],
    ]);
  });
});
