import { humanSeconds, num, percent, seconds } from '../promql.js';
import { defineAlert, forText, record, type RuleArea, type RuleContext } from './model.js';
import { REC } from './records.js';

/** USE for the developer's machine: utilisation and saturation of CPU, memory, disks and descriptors. */
export function hostRules(ctx: RuleContext): RuleArea {
  const { host: m, h } = ctx;
  const t = ctx.config.thresholds;
  const writable = `${m(h.fsReadonly)} == 0`;
  return {
    file: 'host',
    title: 'Host resources',
    recording: [
      // Busy = everything but idle, iowait and steal, averaged over cores (node-mixin's utilisation).
      record(REC.cpuBusy, `1 - avg without (cpu) (sum without (mode) (rate(${m(h.cpuSeconds, 'mode=~"idle|iowait|steal"')}[5m])))`),
      record(REC.memoryUsed, `1 - ${m(h.memoryAvailable)} / ${m(h.memoryTotal)}`),
      record(REC.load1PerCpu, `${m(h.load1)} / count without (cpu, mode) (${m(h.cpuSeconds, 'mode="idle"')})`),
      record(REC.fdUsed, `${m(h.fdAllocated)} / ${m(h.fdMax)}`),
      // Zero-sized filesystems (some pseudo mounts slip through the exclude pattern) would divide by zero.
      record(REC.fsUsed, `1 - ${m(h.fsAvail)} / (${m(h.fsSize)} > 0)`),
      // Filesystems without a fixed inode table (btrfs, some FUSE mounts) report 0 files: no ratio.
      record(REC.fsFilesUsed, `1 - ${m(h.fsFilesFree)} / (${m(h.fsFiles)} > 0)`),
      record(REC.diskIoTime, `rate(${m(h.diskIoTime)}[5m])`),
      record(REC.diskIoWeighted, `rate(${m(h.diskIoWeighted)}[5m])`),
    ],
    alerts: [
      ...defineAlert(ctx, {
        name: 'IdeHostCpuHighUsage',
        dashboard: 'host',
        panel: 'CPU utilisation',
        levels: t.hostCpuHighUsage.levels,
        summary: 'CPU usage is high.',
        expr: (l) => `${REC.cpuBusy} > ${num(l.value)}`,
        description: (l) =>
          `CPU on {{ $labels.instance }} has been {{ $value | humanizePercentage }} busy for more than ${forText(l)} (threshold ${percent(l.value)}).`,
        condition: (l) => `CPU busy > ${percent(l.value)}`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeHostMemoryHighUsage',
        dashboard: 'host',
        panel: 'Memory utilisation',
        levels: t.hostMemoryHighUsage.levels,
        summary: 'Memory usage is high.',
        expr: (l) => `${REC.memoryUsed} > ${num(l.value)}`,
        description: (l) =>
          `{{ $value | humanizePercentage }} of the memory of {{ $labels.instance }} has been in use for more than ${forText(l)} (threshold ${percent(l.value)}).`,
        condition: (l) => `memory used (1 − available/total) > ${percent(l.value)}`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeHostFilesystemAlmostFull',
        dashboard: 'host',
        panel: 'Filesystem space used',
        levels: t.hostFilesystemAlmostFull.levels,
        summary: 'A filesystem is almost full.',
        // Read-only mounts (snaps, ISO images) are full by design and cannot be cleaned.
        expr: (l) => `
          (
            ${REC.fsUsed} > ${num(l.value)}
          and
            ${writable}
          )`,
        description: () => 'Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} is {{ $value | humanizePercentage }} full.',
        condition: (l) => `filesystem used > ${percent(l.value)}, writable mounts only`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeHostFilesystemFillingUp',
        dashboard: 'host',
        panel: 'Filesystem space used',
        levels: t.hostFilesystemFillingUp.levels,
        summary: 'A filesystem is predicted to run out of space.',
        expr: (l) => `
          (
            ${REC.fsUsed} > ${num(l.value)}
          and
            predict_linear(${m(h.fsAvail)}[${t.hostFilesystemFillingUp.window}], ${seconds(l.horizon)}) < 0
          and
            ${writable}
          )`,
        description: (l) =>
          `Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} is {{ $value | humanizePercentage }} full and, at the rate of the last ${t.hostFilesystemFillingUp.window}, will be full within ${humanSeconds(seconds(l.horizon))}.`,
        condition: (l) =>
          `used > ${percent(l.value)} and predicted full within ${humanSeconds(seconds(l.horizon))} (trend over ${t.hostFilesystemFillingUp.window}), writable mounts only`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeHostFilesystemFilesAlmostExhausted',
        dashboard: 'host',
        panel: 'Filesystem inodes used',
        levels: t.hostFilesystemFilesAlmostExhausted.levels,
        summary: 'A filesystem is running out of inodes.',
        expr: (l) => `
          (
            ${REC.fsFilesUsed} > ${num(l.value)}
          and
            ${writable}
          )`,
        description: () =>
          '{{ $value | humanizePercentage }} of the inodes of filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} are in use.',
        condition: (l) => `inodes used > ${percent(l.value)}, writable mounts only`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeHostFilesystemFilesFillingUp',
        dashboard: 'host',
        panel: 'Filesystem inodes used',
        levels: t.hostFilesystemFilesFillingUp.levels,
        summary: 'A filesystem is predicted to run out of inodes.',
        expr: (l) => `
          (
            ${REC.fsFilesUsed} > ${num(l.value)}
          and
            predict_linear(${m(h.fsFilesFree)}[${t.hostFilesystemFilesFillingUp.window}], ${seconds(l.horizon)}) < 0
          and
            ${writable}
          )`,
        description: (l) =>
          `{{ $value | humanizePercentage }} of the inodes of filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} are in use and, at the rate of the last ${t.hostFilesystemFilesFillingUp.window}, none will be left within ${humanSeconds(seconds(l.horizon))}.`,
        condition: (l) =>
          `inodes used > ${percent(l.value)} and predicted exhausted within ${humanSeconds(seconds(l.horizon))} (trend over ${t.hostFilesystemFilesFillingUp.window}), writable mounts only`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeHostDiskIoSaturated',
        dashboard: 'host',
        panel: 'Disk saturation',
        levels: t.hostDiskIoSaturated.levels,
        summary: 'A disk is saturated with I/O requests.',
        expr: (l) => `${REC.diskIoWeighted} > ${num(l.value)}`,
        description: (l) =>
          `Disk {{ $labels.device }} on {{ $labels.instance }} has had {{ printf "%.1f" $value }} I/O requests queued on average for more than ${forText(l)}.`,
        condition: (l) => `average I/O queue depth (rate of weighted I/O time) > ${num(l.value)}`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeHostLoadHigh',
        dashboard: 'host',
        panel: 'Load per core',
        levels: t.hostLoadHigh.levels,
        summary: 'The system load per CPU core is high.',
        expr: (l) => `${REC.load1PerCpu} > ${num(l.value)}`,
        description: (l) => `The 1-minute load average of {{ $labels.instance }} has been {{ printf "%.2f" $value }} per core for more than ${forText(l)}.`,
        condition: (l) => `1-minute load per core > ${num(l.value)}`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeHostFileDescriptorsNearLimit',
        dashboard: 'host',
        panel: 'File descriptors allocated',
        levels: t.hostFileDescriptorsNearLimit.levels,
        summary: 'The system is running out of file descriptors.',
        expr: (l) => `${REC.fdUsed} > ${num(l.value)}`,
        description: () => '{{ $value | humanizePercentage }} of the system-wide file descriptor limit of {{ $labels.instance }} is allocated.',
        condition: (l) => `allocated / maximum file descriptors > ${percent(l.value)}`,
      }),
    ],
  };
}
