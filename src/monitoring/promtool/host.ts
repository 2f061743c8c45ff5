import type { HostMetricsMode } from '../config.js';
import { hostMetricNames } from '../host-metrics.js';
import { num } from '../promql.js';
import { REC } from '../rules/records.js';
import type { Severity } from '../thresholds.js';
import { constant, counter, fires as firesOn, hostTarget, line, quiet, series as seriesOf, type Scenario, type Target, type TestFile } from './model.js';

/**
 * The host alerts' scenarios, with the series of whichever exporter serves the host (`hostMetrics`): the
 * same values, thresholds and descriptions in both modes, so both rule sets are held to one behaviour.
 */
export function hostTests(mode: HostMetricsMode = 'ide-monitor'): TestFile {
  const h = hostMetricNames(mode);
  const target: Target = hostTarget(mode);
  const I = target.instance;
  const series = (metric: string, extra: Readonly<Record<string, string>> = {}) => seriesOf(metric, extra, target);
  const fires = (severity: Severity, extra: Readonly<Record<string, string>>, description: string) => firesOn(severity, extra, description, target);

  /** One core, idle and user only: busy is exactly the share of user time. */
  function cpu(busy: number, steps = 90): [string, string][] {
    return [
      [series(h.cpuSeconds, { cpu: '0', mode: 'idle' }), counter(60 * (1 - busy), steps)],
      [series(h.cpuSeconds, { cpu: '0', mode: 'user' }), counter(60 * busy, steps)],
    ];
  }

  function memory(used: number, steps = 90): [string, string][] {
    return [
      [series(h.memoryTotal), constant(1e9, steps)],
      [series(h.memoryAvailable), constant(1e9 * (1 - used), steps)],
    ];
  }

  interface Tier {
    readonly severity: Severity;
    readonly threshold: string;
    readonly for: string;
  }

  /**
   * A ladder of levels: at each ratio, only the levels below it fire, and each only once its own `for` has
   * passed (`early` is after the shortest `for` and before the longest).
   */
  function ladder(
    name: string,
    alert: string,
    input: (ratio: number) => [string, string][],
    ratios: readonly number[],
    tiers: readonly Tier[],
    times: { readonly quiet: string; readonly early: string; readonly late: string },
    description: (shown: string, tier: Tier) => string,
  ): Scenario[] {
    return ratios.map((ratio, i) => {
      const shown = `${num(ratio * 100)}%`;
      const reached = tiers.slice(0, i);
      const at = (time: string, within: readonly Tier[]) => ({
        at: time,
        alert,
        expect: within.map((tier) => fires(tier.severity, {}, description(shown, tier))),
      });
      const shortest = tiers[0]?.for;
      return {
        name: `${name} at ${shown}`,
        series: input(ratio),
        alerts: [
          ...quiet(alert, times.quiet),
          at(
            times.early,
            reached.filter((tier) => tier.for === shortest),
          ),
          at(times.late, reached),
        ],
      };
    });
  }

  const ROOT = { device: '/dev/sda1', mountpoint: '/', fstype: 'ext4' };
  const READ_ONLY = { device: '/dev/loop0', mountpoint: '/mnt/image', fstype: 'ext4' };
  const SIZE = 100e9;

  function filesystem(fs: Record<string, string>, avail: string, readonly: number): [string, string][] {
    return [
      [series(h.fsSize, fs), constant(SIZE, 200)],
      [series(h.fsAvail, fs), avail],
      [series(h.fsReadonly, fs), constant(readonly, 200)],
    ];
  }

  const FILES = 1e6;

  const NO_INODE_TABLE = { device: '/dev/sdb1', mountpoint: '/data', fstype: 'btrfs' };

  function inodes(fs: Record<string, string>, free: string, readonly: number, files = FILES): [string, string][] {
    return [
      [series(h.fsFiles, fs), constant(files, 200)],
      [series(h.fsFilesFree, fs), free],
      [series(h.fsReadonly, fs), constant(readonly, 200)],
    ];
  }

  const inodesFull = (shown: string) => `${shown} of the inodes of filesystem / (/dev/sda1) on ${I} are in use.`;
  const inodesFilling = (shown: string, within: string) =>
    `${shown} of the inodes of filesystem / (/dev/sda1) on ${I} are in use and, at the rate of the last 6h, none will be left within ${within}.`;

  const fdDescription = (shown: string) => `${shown} of the system-wide file descriptor limit of ${I} is allocated.`;
  const fsFull = (shown: string) => `Filesystem / (/dev/sda1) on ${I} is ${shown} full.`;
  const fsFilling = (shown: string, within: string) =>
    `Filesystem / (/dev/sda1) on ${I} is ${shown} full and, at the rate of the last 6h, will be full within ${within}.`;

  return {
    file: 'host',
    ruleFiles: ['host'],
    scenarios: [
      {
        name: 'CPU busy is 1 - idle averaged over cores',
        series: [
          ...cpu(0.5),
          [series(h.cpuSeconds, { cpu: '1', mode: 'idle' }), counter(60)],
          [series(h.cpuSeconds, { cpu: '1', mode: 'iowait' }), counter(0)],
        ],
        exprs: [{ at: '10m', expr: REC.cpuBusy, samples: [{ labels: `${REC.cpuBusy}{instance="${I}", job="${target.job}"}`, value: 0.25 }] }],
      },
      // node-mixin: utilisation is information after 15 minutes; only an hour at 95 % is worth a look.
      ...ladder(
        'CPU busy',
        'IdeHostCpuHighUsage',
        (ratio) => cpu(ratio),
        [0.89, 0.94, 0.96],
        [
          { severity: 'low', threshold: '90%', for: '15m' },
          { severity: 'medium', threshold: '95%', for: '1h' },
        ],
        { quiet: '14m', early: '40m', late: '80m' },
        (shown, tier) => `CPU on ${I} has been ${shown} busy for more than ${tier.for} (threshold ${tier.threshold}).`,
      ),
      ...ladder(
        'Memory used',
        'IdeHostMemoryHighUsage',
        (ratio) => memory(ratio),
        [0.89, 0.94, 0.96],
        [
          { severity: 'medium', threshold: '90%', for: '15m' },
          { severity: 'high', threshold: '95%', for: '15m' },
        ],
        { quiet: '14m', early: '20m', late: '40m' },
        (shown, tier) => `${shown} of the memory of ${I} has been in use for more than ${tier.for} (threshold ${tier.threshold}).`,
      ),
      {
        // Defect: 95 % for 5 minutes paged as critical; a build that fills memory for 5 minutes is no outage.
        name: 'Memory at 96% for 10 minutes is not critical, nor anything yet',
        series: memory(0.96, 20),
        alerts: quiet('IdeHostMemoryHighUsage', '10m'),
      },
      {
        name: 'Filesystem almost full, read-only mounts ignored',
        series: [...filesystem(ROOT, constant(SIZE * 0.02, 200), 0), ...filesystem(READ_ONLY, constant(0, 200), 1)],
        alerts: [
          ...quiet('IdeHostFilesystemAlmostFull', '20m'),
          {
            at: '40m',
            alert: 'IdeHostFilesystemAlmostFull',
            expect: [fires('high', ROOT, fsFull('98%')), fires('critical', ROOT, fsFull('98%'))],
          },
        ],
      },
      {
        name: 'Filesystem at 96% is only high',
        series: filesystem(ROOT, constant(SIZE * 0.04, 200), 0),
        alerts: [{ at: '40m', alert: 'IdeHostFilesystemAlmostFull', expect: [fires('high', ROOT, fsFull('96%'))] }],
      },
      {
        name: 'Filesystem at 94% is not almost full',
        series: filesystem(ROOT, constant(SIZE * 0.06, 200), 0),
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
            expect: [fires('medium', ROOT, fsFilling('69.8%', '24h'))],
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
            expect: [fires('medium', ROOT, fsFilling('97%', '24h')), fires('high', ROOT, fsFilling('97%', '4h'))],
          },
        ],
      },
      {
        name: 'Inodes almost exhausted, read-only mounts ignored',
        series: [...inodes(ROOT, constant(FILES * 0.02, 100), 0), ...inodes(READ_ONLY, constant(0, 100), 1)],
        alerts: [
          ...quiet('IdeHostFilesystemFilesAlmostExhausted', '50m'),
          {
            at: '80m',
            alert: 'IdeHostFilesystemFilesAlmostExhausted',
            expect: [fires('high', ROOT, inodesFull('98%')), fires('critical', ROOT, inodesFull('98%'))],
          },
        ],
      },
      {
        name: 'Inodes at 96% used are only high',
        series: inodes(ROOT, constant(FILES * 0.04, 100), 0),
        alerts: [{ at: '80m', alert: 'IdeHostFilesystemFilesAlmostExhausted', expect: [fires('high', ROOT, inodesFull('96%'))] }],
      },
      {
        // btrfs has no inode table: 0 files must not read as 100 % used.
        name: 'Inodes at 94% used, and a filesystem without an inode table',
        series: [...inodes(ROOT, constant(FILES * 0.06, 100), 0), ...inodes(NO_INODE_TABLE, constant(0, 100), 0, 0)],
        alerts: quiet('IdeHostFilesystemFilesAlmostExhausted', '80m'),
      },
      {
        // 35 % of inodes free, losing 0.2 % per 5 minutes: none left within 24 h but not within 4 h.
        name: 'Inodes 65% used running out within a day',
        interval: '5m',
        series: inodes(ROOT, line(FILES * 0.35, -FILES * 0.002, 40), 0),
        alerts: [
          ...quiet('IdeHostFilesystemFilesFillingUp', '30m'),
          { at: '2h', alert: 'IdeHostFilesystemFilesFillingUp', expect: [fires('medium', ROOT, inodesFilling('69.8%', '24h'))] },
        ],
      },
      {
        name: 'Inodes 55% used running out is not yet worth an alert',
        interval: '5m',
        series: inodes(ROOT, line(FILES * 0.45, -FILES * 0.002, 40), 0),
        alerts: quiet('IdeHostFilesystemFilesFillingUp', '2h'),
      },
      {
        name: 'Inodes 85% used running out within hours',
        interval: '5m',
        series: inodes(ROOT, line(FILES * 0.15, -FILES * 0.005, 40), 0),
        alerts: [
          {
            at: '2h',
            alert: 'IdeHostFilesystemFilesFillingUp',
            expect: [fires('medium', ROOT, inodesFilling('97%', '24h')), fires('high', ROOT, inodesFilling('97%', '4h'))],
          },
        ],
      },
      {
        name: 'Disk I/O queue of 11 saturates, 9.9 does not',
        series: [
          [series(h.diskIoWeighted, { device: 'sda' }), counter(660)],
          [series(h.diskIoWeighted, { device: 'sdb' }), counter(594)],
        ],
        alerts: [
          ...quiet('IdeHostDiskIoSaturated', '20m'),
          {
            at: '40m',
            alert: 'IdeHostDiskIoSaturated',
            expect: [fires('medium', { device: 'sda' }, `Disk sda on ${I} has had 11.0 I/O requests queued on average for more than 30m.`)],
          },
        ],
      },
      ...[
        { load: 4.2, expect: [fires('medium', {}, `The 1-minute load average of ${I} has been 2.10 per core for more than 15m.`)] },
        { load: 3.9, expect: [] },
      ].map(({ load, expect }) => ({
        name: `Load ${num(load)} on two cores`,
        series: [
          [series(h.load1), constant(load)],
          [series(h.cpuSeconds, { cpu: '0', mode: 'idle' }), counter(30)],
          [series(h.cpuSeconds, { cpu: '1', mode: 'idle' }), counter(30)],
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
          [series(h.fdAllocated), constant(allocated)],
          [series(h.fdMax), constant(1_000_000)],
        ] as [string, string][],
        alerts: [...quiet('IdeHostFileDescriptorsNearLimit', '10m'), { at: '20m', alert: 'IdeHostFileDescriptorsNearLimit', expect }],
      })),
    ],
  };
}
