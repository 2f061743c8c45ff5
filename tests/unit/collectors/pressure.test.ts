import { describe, expect, it } from 'vitest';
import { pressureCollector } from '../../../src/exporter/collectors/pressure.js';
import { collectorsConfig, contextOf, FailingReader, fixtureContext, fixtureReader, silent } from './support.js';

const pressure = () => pressureCollector.create(collectorsConfig(), silent);

describe('pressure collector', () => {
  it('turns the total= microseconds of /proc/pressure into seconds, ignoring the always-zero cpu full line', async () => {
    const families = await pressure().collect(fixtureContext('real'));
    expect(families.map((f) => [f.name, f.type, f.samples.map((s) => s.value)])).toEqual([
      ['ide_host_pressure_cpu_waiting_seconds_total', 'counter', [31.522945]],
      ['ide_host_pressure_memory_waiting_seconds_total', 'counter', [0]],
      ['ide_host_pressure_memory_stalled_seconds_total', 'counter', [0]],
      ['ide_host_pressure_io_waiting_seconds_total', 'counter', [2.889158]],
      ['ide_host_pressure_io_stalled_seconds_total', 'counter', [2.542975]],
    ]);
  });

  it('returns nothing on a kernel without /proc/pressure', async () => {
    expect(await pressure().collect(fixtureContext('crafted'))).toEqual([]);
  });

  it('returns nothing when PSI is built in but disabled (EOPNOTSUPP)', async () => {
    const files = new FailingReader(fixtureReader('real'), {
      'pressure/cpu': 'EOPNOTSUPP',
      'pressure/memory': 'EOPNOTSUPP',
      'pressure/io': 'EOPNOTSUPP',
    });
    expect(await pressure().collect(contextOf(files))).toEqual([]);
  });

  it('keeps the resources the kernel has when one file is missing', async () => {
    const files = new FailingReader(fixtureReader('real'), { 'pressure/memory': 'ENOENT' });
    expect((await pressure().collect(contextOf(files))).map((f) => f.name)).toEqual([
      'ide_host_pressure_cpu_waiting_seconds_total',
      'ide_host_pressure_io_waiting_seconds_total',
      'ide_host_pressure_io_stalled_seconds_total',
    ]);
  });

  it('fails the scrape on any other error', async () => {
    const files = new FailingReader(fixtureReader('real'), { 'pressure/io': 'EACCES' });
    await expect(pressure().collect(contextOf(files))).rejects.toMatchObject({ code: 'EACCES' });
  });
});
