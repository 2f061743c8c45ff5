// Reads /proc/stat directly: systeminformation's currentLoad() spawns processes and returns percentages, not counters.
import { procFileCollector } from '../collector-definition.js';
import { counter, sample, type MetricFamily, type Sample } from '../metric-family.js';
import { fields, lines, nonEmpty, toNumber, USER_HZ } from './parse.js';

/** The columns of a `cpuN` line, in the kernel's order; guest time is already inside user and nice. */
const MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

function cpuFamilies(stat: string): MetricFamily[] {
  const samples: Sample[] = [];
  for (const line of lines(stat)) {
    const [head, ...ticks] = fields(line);
    const cpu = /^cpu(\d+)$/.exec(head ?? '')?.[1];
    if (cpu === undefined) continue;
    MODES.forEach((mode, column) => {
      const value = toNumber(ticks[column]);
      if (value !== undefined) samples.push(sample(value / USER_HZ, { cpu, mode }));
    });
  }
  return nonEmpty([counter('ide_host_cpu_seconds_total', 'Time each CPU core spent in each mode, in seconds.', samples)]);
}

export const cpuCollector = procFileCollector({
  name: 'cpu',
  enabledByDefault: true,
  help: 'per-core CPU time by mode (/proc/stat).',
  options: {},
  file: 'stat',
  parser: () => cpuFamilies,
});
