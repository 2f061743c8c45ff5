// Reads /proc/loadavg directly: one small file per scrape, where systeminformation's currentLoad() spawns processes.
import { procFileCollector } from '../collector-definition.js';
import { gauge, sample, type MetricFamily } from '../metric-family.js';
import { fields, toNumber } from './parse.js';

const WINDOWS = [
  ['ide_host_load1', 'Load average over the last minute, in runnable and uninterruptible tasks.'],
  ['ide_host_load5', 'Load average over the last 5 minutes, in runnable and uninterruptible tasks.'],
  ['ide_host_load15', 'Load average over the last 15 minutes, in runnable and uninterruptible tasks.'],
] as const;

function loadFamilies(loadavg: string): MetricFamily[] {
  const values = fields(loadavg);
  const families: MetricFamily[] = [];
  WINDOWS.forEach(([name, help], column) => {
    const value = toNumber(values[column]);
    if (value !== undefined) families.push(gauge(name, help, [sample(value)]));
  });
  return families;
}

export const loadCollector = procFileCollector({
  name: 'load',
  enabledByDefault: true,
  help: 'load averages (/proc/loadavg).',
  options: {},
  file: 'loadavg',
  parser: () => loadFamilies,
});
