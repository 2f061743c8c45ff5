import { describe, expect, it } from 'vitest';
import { filefdCollector } from '../../../src/exporter/collectors/filefd.js';
import { collectorsConfig, fixtureContext, silent } from './support.js';

describe('filefd collector', () => {
  it('exports the first and third fields of /proc/sys/fs/file-nr', async () => {
    const families = await filefdCollector.create(collectorsConfig(), silent).collect(fixtureContext('crafted'));
    expect(families.map((f) => [f.name, f.type, f.samples.map((s) => s.value)])).toEqual([
      ['ide_host_file_descriptors_allocated', 'gauge', [1056]],
      ['ide_host_file_descriptors_max', 'gauge', [1048576]],
    ]);
  });

  it('reads a real, tab-separated file-nr', async () => {
    const families = await filefdCollector.create(collectorsConfig(), silent).collect(fixtureContext('real'));
    expect(families.map((f) => f.samples[0]?.value)).toEqual([379, 2466160]);
  });
});
