import { describe, expect, it } from 'vitest';
import { cpuCollector } from '../../../src/exporter/collectors/cpu.js';
import { collectorsConfig, contextOf, FailingReader, fixtureContext, fixtureReader, names, samplesOf, silent } from './support.js';

const cpu = () => cpuCollector.create(collectorsConfig(), silent);
const modes = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'];

describe('cpu collector', () => {
  it('turns the per-core USER_HZ ticks of /proc/stat into seconds, skipping the aggregate line', async () => {
    const families = await cpu().collect(fixtureContext('crafted'));
    expect(names(families)).toEqual(['ide_host_cpu_seconds_total']);
    expect(families[0]?.type).toBe('counter');
    const samples = samplesOf(families, 'ide_host_cpu_seconds_total');
    expect(samples).toEqual([
      ...[123.45, 0.1, 20, 1000, 0.5, 0, 0.25, 0.07].map((value, i) => ({ labels: { cpu: '0', mode: modes[i] }, value })),
      ...[1, 0, 3, 2000, 0.01, 0.02, 0.03, 0].map((value, i) => ({ labels: { cpu: '1', mode: modes[i] }, value })),
    ]);
  });

  it('reads every core of a real /proc/stat, with the guest columns left out', async () => {
    const samples = samplesOf(await cpu().collect(fixtureContext('real')), 'ide_host_cpu_seconds_total');
    expect(samples).toHaveLength(2 * 8);
    expect(samples.filter((s) => s.labels.cpu === '0')).toEqual(
      [60.36, 0, 28.23, 847.74, 0.44, 0, 1.54, 0].map((value, i) => ({ labels: { cpu: '0', mode: modes[i] }, value })),
    );
  });

  it('fails the scrape on an error other than a missing file', async () => {
    const files = new FailingReader(fixtureReader('crafted'), { stat: 'EACCES' });
    await expect(cpu().collect(contextOf(files))).rejects.toMatchObject({ code: 'EACCES' });
  });
});
