// Reads /proc/meminfo directly: one file read per scrape, with the kernel's own fields rather than si.mem()'s derived ones.
import { procFileCollector } from '../collector-definition.js';
import { gauge, sample, type MetricFamily } from '../metric-family.js';
import { fields, parseKeyValueLines, toNumber } from './parse.js';

/** /proc/meminfo says "kB" but means KiB. */
const KIB = 1024;

const FIELDS = [
  ['MemTotal', 'ide_host_memory_total_bytes', 'Usable physical memory, in bytes.'],
  ['MemAvailable', 'ide_host_memory_available_bytes', 'Memory available for new work without swapping, as the kernel estimates it, in bytes.'],
  ['MemFree', 'ide_host_memory_free_bytes', 'Memory not used for anything, in bytes.'],
  ['Buffers', 'ide_host_memory_buffers_bytes', 'Memory used for block device buffers, in bytes.'],
  ['Cached', 'ide_host_memory_cached_bytes', 'Memory used by the page cache, in bytes.'],
  ['SwapTotal', 'ide_host_swap_total_bytes', 'Total swap space, in bytes.'],
  ['SwapFree', 'ide_host_swap_free_bytes', 'Unused swap space, in bytes.'],
] as const;

function memoryFamilies(meminfo: string): MetricFamily[] {
  const entries = parseKeyValueLines(meminfo);
  const families: MetricFamily[] = [];
  for (const [key, name, help] of FIELDS) {
    const kib = toNumber(fields(entries.get(key) ?? '')[0]);
    if (kib !== undefined) families.push(gauge(name, help, [sample(kib * KIB)]));
  }
  return families;
}

export const memoryCollector = procFileCollector({
  name: 'memory',
  enabledByDefault: true,
  help: 'memory and swap (/proc/meminfo).',
  options: {},
  file: 'meminfo',
  parser: () => memoryFamilies,
});
