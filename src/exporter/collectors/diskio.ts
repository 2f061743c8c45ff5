// Reads /proc/diskstats directly: systeminformation's disksIO() spawns a shell pipeline (lsblk, cat, sed) per call.
import { regex } from '../../config/schema-types.js';
import { procFileCollector } from '../collector-definition.js';
import { counter, sample, type MetricFamily, type Sample } from '../metric-family.js';
import { fields, lines, nonEmpty, toNumber } from './parse.js';

const sectorsToBytes = (sectors: number): number => sectors * 512; // diskstats sectors are 512 bytes whatever the device's
const msToSeconds = (ms: number): number => ms / 1000;
const asIs = (n: number): number => n;

/** Column in a diskstats line (after major, minor and name: iostats.rst fields 1–11) → metric. */
const SERIES = [
  [3, asIs, 'ide_host_disk_reads_completed_total', 'Reads completed by the device, in operations.'],
  [5, sectorsToBytes, 'ide_host_disk_read_bytes_total', 'Data read from the device, in bytes.'],
  [7, asIs, 'ide_host_disk_writes_completed_total', 'Writes completed by the device, in operations.'],
  [9, sectorsToBytes, 'ide_host_disk_written_bytes_total', 'Data written to the device, in bytes.'],
  [12, msToSeconds, 'ide_host_disk_io_time_seconds_total', 'Time the device had I/O in progress, in seconds.'],
  [
    13,
    msToSeconds,
    'ide_host_disk_io_time_weighted_seconds_total',
    'Time spent on I/O multiplied by the requests in flight, in seconds; its rate is the average queue depth.',
  ],
] as const;

function diskioFamilies(diskstats: string, deviceExclude: RegExp): MetricFamily[] {
  const samples = SERIES.map((): Sample[] => []);
  for (const line of lines(diskstats)) {
    const columns = fields(line);
    const device = columns[2];
    if (device === undefined || deviceExclude.test(device)) continue;
    SERIES.forEach(([column, toBase], i) => {
      const value = toNumber(columns[column]);
      if (value !== undefined) samples[i]?.push(sample(toBase(value), { device }));
    });
  }
  return nonEmpty(SERIES.map(([, , name, help], i) => counter(name, help, samples[i] ?? [])));
}

/** Partitions and ram/loop devices double-count their parent disk's I/O. */
const DEFAULT_DISK_DEVICE_EXCLUDE = '^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$';

export const diskioCollector = procFileCollector({
  name: 'diskio',
  enabledByDefault: true,
  help: 'I/O per block device (/proc/diskstats).',
  options: {
    device_exclude: { schema: regex.default(DEFAULT_DISK_DEVICE_EXCLUDE), flag: { kind: 'string', help: 'Regexp of block devices to exclude.' } },
  },
  file: 'diskstats',
  parser: (config) => {
    const deviceExclude = new RegExp(config.diskio.device_exclude);
    return (text) => diskioFamilies(text, deviceExclude);
  },
});
