import { describe, expect, it } from 'vitest';
import { loadCollector } from '../../../src/exporter/collectors/load.js';
import { collectorsConfig, fixtureContext, names, silent, valueOf } from './support.js';

describe('load collector', () => {
  it('exports the three load averages of /proc/loadavg as gauges', async () => {
    const families = await loadCollector.create(collectorsConfig(), silent).collect(fixtureContext('crafted'));
    expect(names(families)).toEqual(['ide_host_load1', 'ide_host_load5', 'ide_host_load15']);
    expect(families.map((f) => [f.type, f.samples.map((s) => s.labels)])).toEqual(Array(3).fill(['gauge', [{}]]));
    expect([valueOf(families, 'ide_host_load1'), valueOf(families, 'ide_host_load5'), valueOf(families, 'ide_host_load15')]).toEqual([0.5, 1.25, 2]);
  });

  it('reads a real /proc/loadavg', async () => {
    const families = await loadCollector.create(collectorsConfig(), silent).collect(fixtureContext('real'));
    expect(valueOf(families, 'ide_host_load15')).toBe(0.19);
  });
});
