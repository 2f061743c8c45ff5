import { num } from '../promql.js';
import { REC } from '../rules/records.js';
import type { Severity } from '../thresholds.js';
import { constant, counter, fires, line, quiet, series, type Scenario, type TestFile } from './model.js';

/** One core, idle and user only: busy is exactly the share of user time. */
function cpu(busy: number): [string, string][] {
  return [
    [series('ide_host_cpu_seconds_total', { cpu: '0', mode: 'idle' }), counter(60 * (1 - busy))],
    [series('ide_host_cpu_seconds_total', { cpu: '0', mode: 'user' }), counter(60 * busy)],
  ];
}

const TIERS: readonly Severity[] = ['medium', 'high', 'critical'];
const TIER_THRESHOLDS = ['75%', '85%', '95%'];

/** The 75 / 85 / 95 % ladder: just under each step, only the levels below it fire. */
function ladder(
  name: string,
  alert: string,
  input: (ratio: number) => [string, string][],
  description: (shown: string, threshold: string) => string,
): Scenario[] {
  return [0.74, 0.84, 0.94, 0.96].map((ratio, i) => ({
    name: `${name} at ${num(ratio * 100)}%`,
    series: input(ratio),
    alerts: [
      // `for: 5m` has not elapsed yet at 4m, whatever the level.
      ...quiet(alert, '4m'),
      {
        at: '10m',
        alert,
        expect: TIERS.slice(0, i).map((severity, level) =>
          fires(severity, {}, description(`${num(ratio * 100)}%`, TIER_THRESHOLDS[level] ?? '')),
        ),
      },
    ],
  }));
}

const ROOT = { device: '/dev/sda1', mountpoint: '/', fstype: 'ext4' };
const READ_ONLY = { device: '/dev/loop0', mountpoint: '/mnt/image', fstype: 'ext4' };
const SIZE = 100e9;

function filesystem(fs: Record<string, string>, avail: string, readonly: number): [string, string][] {
  return [
    [series('ide_host_filesystem_size_bytes', fs), constant(SIZE, 200)],
    [series('ide_host_filesystem_avail_bytes', fs), avail],
    [series('ide_host_filesystem_readonly', fs), constant(readonly, 200)],
  ];
}

const fdDescription = (shown: string) => `${shown} of the system-wide file descriptor limit of dev:10451 is allocated.`;
const fsFull = (shown: string) => `Filesystem / (/dev/sda1) on dev:10451 is ${shown} full.`;
const fsFilling = (shown: string, within: string) =>
  `Filesystem / (/dev/sda1) on dev:10451 is ${shown} full and, at the rate of the last 6h, will be full within ${within}.`;

export const hostTests: TestFile = {
  file: 'host',
  ruleFiles: ['host'],
  scenarios: [
    {
      name: 'CPU busy is 1 - idle averaged over cores',
      series: [
        ...cpu(0.5),
        [series('ide_host_cpu_seconds_total', { cpu: '1', mode: 'idle' }), counter(60)],
        [series('ide_host_cpu_seconds_total', { cpu: '1', mode: 'iowait' }), counter(0)],
      ],
      exprs: [{ at: '10m', expr: REC.cpuBusy, samples: [{ labels: `${REC.cpuBusy}{instance="dev:10451", job="ide-monitor"}`, value: 0.25 }] }],
    },
    ...ladder('CPU busy', 'IdeHostCpuHighUsage', cpu, (shown, threshold) =>
      `CPU on dev:10451 has been ${shown} busy for more than 5m (threshold ${threshold}).`,
    ),
    ...ladder(
      'Memory used',
      'IdeHostMemoryHighUsage',
      (used) => [
        [series('ide_host_memory_total_bytes'), constant(1e9)],
        [series('ide_host_memory_available_bytes'), constant(1e9 * (1 - used))],
      ],
      (shown, threshold) => `${shown} of the memory of dev:10451 has been in use for more than 5m (threshold ${threshold}).`,
    ),
    {
      name: 'Filesystem almost full, read-only mounts ignored',
      series: [...filesystem(ROOT, constant(SIZE * 0.04, 200), 0), ...filesystem(READ_ONLY, constant(0, 200), 1)],
      alerts: [
        ...quiet('IdeHostFilesystemAlmostFull', '20m'),
        {
          at: '40m',
          alert: 'IdeHostFilesystemAlmostFull',
          expect: [
            fires('high', ROOT, fsFull('96%')),
            fires('critical', ROOT, fsFull('96%')),
          ],
        },
      ],
    },
    {
      name: 'Filesystem at 94% is only high',
      series: filesystem(ROOT, constant(SIZE * 0.06, 200), 0),
      alerts: [{ at: '40m', alert: 'IdeHostFilesystemAlmostFull', expect: [fires('high', ROOT, fsFull('94%'))] }],
    },
    {
      name: 'Filesystem at 89% is not almost full',
      series: filesystem(ROOT, constant(SIZE * 0.11, 200), 0),
      alerts: quiet('IdeHostFilesystemAlmostFull', '40m'),
    },
    {
      // 35 GB free, losing 0.2 GB per 5 minutes: empty within 24 h but not within 4 h.
      name: 'Filesystem 65% full filling up within a day',
      interval: '5m',
      series: filesystem(ROOT, line(35e9, -0.2e9, 40), 0),
      alerts: [
        ...quiet('IdeHostFilesystemFillingUp', '30m'),
        {
          at: '2h',
          alert: 'IdeHostFilesystemFillingUp',
          expect: [
            fires('medium', ROOT, fsFilling('69.8%', '24h')),
          ],
        },
      ],
    },
    {
      name: 'Filesystem 55% full filling up is not yet worth an alert',
      interval: '5m',
      series: filesystem(ROOT, line(45e9, -0.2e9, 40), 0),
      alerts: quiet('IdeHostFilesystemFillingUp', '2h'),
    },
    {
      // 15 GB free, losing 0.5 GB per 5 minutes: empty within 4 h. The read-only twin stays quiet.
      name: 'Filesystem 85% full filling up within hours',
      interval: '5m',
      series: [...filesystem(ROOT, line(15e9, -0.5e9, 40), 0), ...filesystem(READ_ONLY, line(15e9, -0.5e9, 40), 1)],
      alerts: [
        {
          at: '2h',
          alert: 'IdeHostFilesystemFillingUp',
          expect: [
            fires('medium', ROOT, fsFilling('97%', '24h')),
            fires('high', ROOT, fsFilling('97%', '4h')),
          ],
        },
      ],
    },
    {
      name: 'Disk I/O queue of 11 saturates, 9.9 does not',
      series: [
        [series('ide_host_disk_io_time_weighted_seconds_total', { device: 'sda' }), counter(660)],
        [series('ide_host_disk_io_time_weighted_seconds_total', { device: 'sdb' }), counter(594)],
      ],
      alerts: [
        ...quiet('IdeHostDiskIoSaturated', '20m'),
        {
          at: '40m',
          alert: 'IdeHostDiskIoSaturated',
          expect: [fires('medium', { device: 'sda' }, 'Disk sda on dev:10451 has had 11.0 I/O requests queued on average for more than 30m.')],
        },
      ],
    },
    ...[
      { load: 4.2, expect: [fires('medium', {}, 'The 1-minute load average of dev:10451 has been 2.10 per core for more than 15m.')] },
      { load: 3.9, expect: [] },
    ].map(({ load, expect }) => ({
      name: `Load ${num(load)} on two cores`,
      series: [
        [series('ide_host_load1'), constant(load)],
        [series('ide_host_cpu_seconds_total', { cpu: '0', mode: 'idle' }), counter(30)],
        [series('ide_host_cpu_seconds_total', { cpu: '1', mode: 'idle' }), counter(30)],
      ] as [string, string][],
      alerts: [...quiet('IdeHostLoadHigh', '10m'), { at: '20m', alert: 'IdeHostLoadHigh', expect }],
    })),
    ...[
      { allocated: 690_000, expect: [] },
      { allocated: 750_000, expect: [fires('medium', {}, fdDescription('75%'))] },
      { allocated: 950_000, expect: [fires('medium', {}, fdDescription('95%')), fires('high', {}, fdDescription('95%'))] },
    ].map(({ allocated, expect }) => ({
      name: `File descriptors ${num(allocated)} of 1000000`,
      series: [
        [series('ide_host_file_descriptors_allocated'), constant(allocated)],
        [series('ide_host_file_descriptors_max'), constant(1_000_000)],
      ] as [string, string][],
      alerts: [...quiet('IdeHostFileDescriptorsNearLimit', '10m'), { at: '20m', alert: 'IdeHostFileDescriptorsNearLimit', expect }],
    })),
  ],
};
