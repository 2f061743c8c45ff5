import { describe, expect, it } from 'vitest';
import { diskioCollector } from '../../../src/exporter/collectors/diskio.js';
import { collectorsConfig, fixtureContext, names, samplesOf, silent } from './support.js';

const counters = [
  'ide_host_disk_reads_completed_total',
  'ide_host_disk_read_bytes_total',
  'ide_host_disk_writes_completed_total',
  'ide_host_disk_written_bytes_total',
  'ide_host_disk_io_time_seconds_total',
  'ide_host_disk_io_time_weighted_seconds_total',
];

describe('diskio collector', () => {
  it('exports whole disks in base units, leaving out partitions, loop and zram devices', async () => {
    const families = await diskioCollector.create(collectorsConfig(), silent).collect(fixtureContext('crafted'));
    expect(names(families)).toEqual(counters);
    expect(families.every((f) => f.type === 'counter')).toBe(true);
    const byDevice = (name: string) => Object.fromEntries(samplesOf(families, name).map((s) => [String(s.labels.device), s.value] as const));
    expect(byDevice('ide_host_disk_reads_completed_total')).toEqual({ sda: 1000, sdb: 7, nvme0n1: 50, 'dm-0': 3 });
    expect(byDevice('ide_host_disk_read_bytes_total')).toEqual({ sda: 2048 * 512, sdb: 8 * 512, nvme0n1: 100 * 512, 'dm-0': 6 * 512 });
    expect(byDevice('ide_host_disk_writes_completed_total')).toEqual({ sda: 200, sdb: 10, nvme0n1: 70, 'dm-0': 5 });
    expect(byDevice('ide_host_disk_written_bytes_total')).toEqual({ sda: 4096 * 512, sdb: 16 * 512, nvme0n1: 140 * 512, 'dm-0': 10 * 512 });
    expect(byDevice('ide_host_disk_io_time_seconds_total')).toEqual({ sda: 1.5, sdb: 0.013, nvme0n1: 0.09, 'dm-0': 0.007 });
    expect(byDevice('ide_host_disk_io_time_weighted_seconds_total')).toEqual({ sda: 4, sdb: 0.014, nvme0n1: 1234.567, 'dm-0': 0.008 });
    expect(samplesOf(families, 'ide_host_disk_read_bytes_total').map((s) => s.labels)).toEqual(['sda', 'sdb', 'nvme0n1', 'dm-0'].map((device) => ({ device })));
  });

  it('honours a configured device pattern', async () => {
    const config = collectorsConfig({ diskio: { device_exclude: '^(sd|dm-)' } });
    const families = await diskioCollector.create(config, silent).collect(fixtureContext('crafted'));
    expect(samplesOf(families, 'ide_host_disk_reads_completed_total').map((s) => s.labels.device)).toEqual(['loop0', 'nvme0n1', 'nvme0n1p1', 'zram0']);
  });

  it('reads a real /proc/diskstats, with its 17-column lines', async () => {
    const families = await diskioCollector.create(collectorsConfig(), silent).collect(fixtureContext('real'));
    expect(families.map((f) => f.samples)).toEqual([
      [{ labels: { device: 'vda' }, value: 37754 }],
      [{ labels: { device: 'vda' }, value: 1955826 * 512 }],
      [{ labels: { device: 'vda' }, value: 7853 }],
      [{ labels: { device: 'vda' }, value: 1654736 * 512 }],
      [{ labels: { device: 'vda' }, value: 6.264 }],
      [{ labels: { device: 'vda' }, value: 15.229 }],
    ]);
  });

  it('returns nothing, and no empty families, when every device is excluded', async () => {
    const config = collectorsConfig({ diskio: { device_exclude: '.' } });
    expect(await diskioCollector.create(config, silent).collect(fixtureContext('crafted'))).toEqual([]);
  });
});
