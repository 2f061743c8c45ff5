import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHostinfoCollector, type HostFactsSource } from '../../../src/exporter/collectors/hostinfo.js';
import { fixtureContext } from './support.js';

function fakeSource(failures = 0) {
  const calls = { osInfo: 0, cpu: 0 };
  const source: HostFactsSource = {
    osInfo: async () => {
      calls.osInfo += 1;
      if (calls.osInfo <= failures) throw new Error('lsb_release exploded');
      return { platform: 'linux', distro: 'Debian GNU/Linux', release: '12', kernel: '6.1.0-18-amd64', arch: 'x64', hostname: 'ws-42' };
    },
    cpu: async () => {
      calls.cpu += 1;
      return { manufacturer: 'AMD', brand: 'EPYC 7B13', cores: 8, physicalCores: 4 };
    },
  };
  return { source, calls };
}

describe('hostinfo collector', () => {
  it('exports OS and CPU facts as info gauges', async () => {
    const families = await createHostinfoCollector(fakeSource().source).collect(fixtureContext('crafted'));
    expect(families).toEqual([
      {
        name: 'ide_host_os_info',
        help: expect.stringMatching(/\.$/),
        type: 'gauge',
        samples: [
          {
            labels: { platform: 'linux', distro: 'Debian GNU/Linux', release: '12', kernel: '6.1.0-18-amd64', arch: 'x64', hostname: 'ws-42' },
            value: 1,
          },
        ],
      },
      {
        name: 'ide_host_cpu_info',
        help: expect.stringMatching(/\.$/),
        type: 'gauge',
        samples: [{ labels: { manufacturer: 'AMD', brand: 'EPYC 7B13', cores: '8', physical_cores: '4' }, value: 1 }],
      },
    ]);
  });

  it('asks systeminformation once, however many scrapes follow', async () => {
    const { source, calls } = fakeSource();
    const collector = createHostinfoCollector(source);
    const scrapes = await Promise.all([collector.collect(fixtureContext('crafted')), collector.collect(fixtureContext('crafted'))]);
    const later = await collector.collect(fixtureContext('crafted'));
    expect(calls).toEqual({ osInfo: 1, cpu: 1 });
    expect(later).toEqual(scrapes[0]);
    expect(later).not.toBe(scrapes[0]);
  });

  it('fails the scrape when systeminformation throws, and asks again on the next', async () => {
    const { source, calls } = fakeSource(1);
    const collector = createHostinfoCollector(source);
    await expect(collector.collect(fixtureContext('crafted'))).rejects.toThrow('lsb_release exploded');
    expect((await collector.collect(fixtureContext('crafted'))).map((f) => f.name)).toEqual(['ide_host_os_info', 'ide_host_cpu_info']);
    expect(calls.osInfo).toBe(2);
  });

  it('reads this machine through only the two systeminformation modules it needs', async () => {
    // The package's index would load all 20 of its modules (≈ 3 MB resident, docker/wifi/printers…);
    // nothing else in the program loads systeminformation, so the cache shows what this collector did.
    const families = await createHostinfoCollector().collect(fixtureContext('crafted'));
    expect(families[0]?.samples[0]?.labels['kernel']).toBe(os.release());
    const loaded = Object.keys(createRequire(import.meta.url).cache)
      .filter((file) => file.includes(`${path.sep}systeminformation${path.sep}`))
      .map((file) => path.basename(file))
      .sort();
    expect(loaded).toEqual(expect.arrayContaining(['cpu.js', 'osinfo.js', 'util.js']));
    // osInfo() itself requires network.js on hosts with a masked MAC address.
    expect(loaded.filter((file) => !['cpu.js', 'osinfo.js', 'util.js', 'network.js'].includes(file))).toEqual([]);
  });
});
