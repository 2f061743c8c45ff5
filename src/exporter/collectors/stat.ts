// Reads /proc/stat directly: the kernel's own cumulative counters, which systeminformation does not expose.
import { procFileCollector } from '../collector-definition.js';
import { counter, gauge, sample, type MetricFamily } from '../metric-family.js';
import { fields, parseKeyValueLines, toNumber } from './parse.js';

type Make = typeof gauge;

/** /proc/stat key → metric; `intr` starts with the total, followed by one count per interrupt line. */
const STATS: ReadonlyArray<readonly [key: string, make: Make, name: string, help: string]> = [
  ['ctxt', counter, 'ide_host_context_switches_total', 'Context switches since boot, in switches.'],
  ['intr', counter, 'ide_host_interrupts_total', 'Interrupts serviced since boot, in interrupts.'],
  ['btime', gauge, 'ide_host_boot_time_seconds', 'When the host booted, in seconds since the Unix epoch.'],
  ['procs_running', gauge, 'ide_host_procs_running', 'Tasks currently runnable, in tasks.'],
  ['procs_blocked', gauge, 'ide_host_procs_blocked', 'Tasks currently blocked waiting for I/O, in tasks.'],
];

function statFamilies(stat: string): MetricFamily[] {
  const entries = parseKeyValueLines(stat);
  const families: MetricFamily[] = [];
  for (const [key, make, name, help] of STATS) {
    const value = toNumber(fields(entries.get(key) ?? '')[0]);
    if (value !== undefined) families.push(make(name, help, [sample(value)]));
  }
  return families;
}

export const statCollector = procFileCollector({
  name: 'stat',
  enabledByDefault: true,
  help: 'context switches, interrupts, boot time, running and blocked processes (/proc/stat).',
  options: {},
  file: 'stat',
  parser: () => statFamilies,
});
