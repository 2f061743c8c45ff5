// Reads /proc/pressure/* directly: systeminformation has no PSI support, and the totals are cumulative counters.
import { defineCollector } from '../collector-definition.js';
import { counter, sample, type MetricFamily } from '../metric-family.js';
import type { ProcReader } from '../procfs.js';
import { fields, lines, readIfPresent, toNumber } from './parse.js';

type Resource = 'cpu' | 'memory' | 'io';
type Line = 'some' | 'full';

/**
 * `some`: at least one task waited on the resource; `full`: every non-idle task stalled at once. The
 * system-wide cpu `full` line (kernel 5.13+) is always zero, so it is not exported.
 */
const SERIES: ReadonlyArray<readonly [Resource, Line, string, string]> = [
  ['cpu', 'some', 'ide_host_pressure_cpu_waiting_seconds_total', 'Time at least one task waited for a CPU, in seconds.'],
  ['memory', 'some', 'ide_host_pressure_memory_waiting_seconds_total', 'Time at least one task waited for memory, in seconds.'],
  ['memory', 'full', 'ide_host_pressure_memory_stalled_seconds_total', 'Time all non-idle tasks stalled on memory at once, in seconds.'],
  ['io', 'some', 'ide_host_pressure_io_waiting_seconds_total', 'Time at least one task waited for I/O, in seconds.'],
  ['io', 'full', 'ide_host_pressure_io_stalled_seconds_total', 'Time all non-idle tasks stalled on I/O at once, in seconds.'],
];

const RESOURCES: readonly Resource[] = ['cpu', 'memory', 'io'];

/** The `total=` of each line, in seconds (the kernel counts microseconds). */
function parsePressureTotals(text: string): Map<Line, number> {
  const totals = new Map<Line, number>();
  for (const line of lines(text)) {
    const [kind, ...pairs] = fields(line);
    if (kind !== 'some' && kind !== 'full') continue;
    const micros = toNumber(pairs.find((pair) => pair.startsWith('total='))?.slice('total='.length));
    if (micros !== undefined) totals.set(kind, micros / 1e6);
  }
  return totals;
}

/** A kernel without PSI has no /proc/pressure; one with PSI built in but disabled answers EOPNOTSUPP: both mean none. */
async function readPressure(files: ProcReader): Promise<Map<Resource, Map<Line, number>>> {
  const texts = await Promise.all(RESOURCES.map((r) => readIfPresent(files.proc(`pressure/${r}`))));
  const byResource = new Map<Resource, Map<Line, number>>();
  RESOURCES.forEach((resource, i) => {
    const text = texts[i];
    if (text !== undefined) byResource.set(resource, parsePressureTotals(text));
  });
  return byResource;
}

function pressureFamilies(byResource: ReadonlyMap<Resource, ReadonlyMap<Line, number>>): MetricFamily[] {
  const families: MetricFamily[] = [];
  for (const [resource, line, name, help] of SERIES) {
    const seconds = byResource.get(resource)?.get(line);
    if (seconds !== undefined) families.push(counter(name, help, [sample(seconds)]));
  }
  return families;
}

export const pressureCollector = defineCollector({
  name: 'pressure',
  enabledByDefault: true,
  help: 'pressure stall information, where the kernel has it (/proc/pressure).',
  options: {},
  create: () => ({
    name: 'pressure',
    collect: async (ctx) => pressureFamilies(await readPressure(ctx.files)),
  }),
});
