import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { MonitoringConfig } from '../config.js';
import { dashboardHostSelector, hostMetricNames } from '../host-metrics.js';
import { REC } from '../rules/records.js';
import { Board, q, type Query, type TimeseriesSpec } from './board.js';
import { exporterHealthRow, nodeExporterHealthRow } from './exporter-row.js';
import { above } from './steps.js';

/** USE per resource: utilisation, saturation and errors of CPU, memory, disks, filesystems and network. */
export function hostDashboard(config: MonitoringConfig): Dashboard {
  const d = dashboardHostSelector(config, true);
  const h = hostMetricNames(config.hostMetrics);
  const nodeExporter = config.hostMetrics === 'node_exporter';
  const t = config.thresholds;
  const rate = (metric: string, ...matchers: string[]) => `rate(${d(metric, ...matchers)}[$__rate_interval])`;
  /** `<prefix>_network_{receive,transmit}_<counter>_total`, one line per interface and direction. */
  const network = (title: string, description: string, unit: string, counter: string): TimeseriesSpec => ({
    title,
    description,
    unit,
    queries: (['receive', 'transmit'] as const).map((side) =>
      q(`sum by (instance, device) (${rate(h.network(side, counter))})`, `{{instance}} {{device}} ${side}`),
    ),
    width: 6,
  });
  const board = new Board(config, 'host', 'USE method for the developer machine: utilisation, saturation and errors per resource.', { hostVariables: true })
    .row('CPU')
    .timeseries({
      title: 'CPU utilisation',
      description: 'Share of CPU time not idle, iowait or steal, averaged over cores; dashed lines are the IdeHostCpuHighUsage thresholds.',
      unit: 'percentunit',
      queries: [q(d(REC.cpuBusy), '{{instance}}')],
      steps: above(t.hostCpuHighUsage.levels),
      min: 0,
      max: 1,
      width: 8,
    })
    .timeseries({
      title: 'CPU time by mode',
      description: 'CPU seconds per second by mode, summed over cores (2 = two cores fully used).',
      unit: 'short',
      queries: [q(`sum by (instance, mode) (${rate(h.cpuSeconds, 'mode!="idle"')})`, '{{instance}} {{mode}}')],
      stack: true,
      width: 8,
    })
    .timeseries({
      title: 'Load per core',
      description: '1-minute load average divided by the number of cores; above 1 work queues for CPU (IdeHostLoadHigh).',
      unit: 'short',
      queries: [q(d(REC.load1PerCpu), '{{instance}}')],
      steps: above(t.hostLoadHigh.levels),
      width: 8,
    })
    .timeseries({
      title: 'CPU pressure',
      description: 'Share of time some runnable task waited for a CPU (Linux PSI).',
      unit: 'percentunit',
      queries: [q(rate(h.pressureCpuWaiting), '{{instance}}')],
    })
    .timeseries({
      title: 'Context switches and interrupts',
      description: 'Context switches and interrupts per second.',
      unit: 'ops',
      queries: [q(rate(h.contextSwitches), '{{instance}} context switches'), q(rate(h.interrupts), '{{instance}} interrupts')],
    })
    .row('Memory')
    .timeseries({
      title: 'Memory utilisation',
      description: 'Share of memory not available to new work; dashed lines are the IdeHostMemoryHighUsage thresholds.',
      unit: 'percentunit',
      queries: [q(d(REC.memoryUsed), '{{instance}}')],
      steps: above(t.hostMemoryHighUsage.levels),
      min: 0,
      max: 1,
      width: 8,
    })
    .timeseries({
      title: 'Memory breakdown',
      description: 'Total, available, free, buffers and page cache.',
      unit: 'bytes',
      queries: (
        [
          ['total', h.memoryTotal],
          ['available', h.memoryAvailable],
          ['free', h.memoryFree],
          ['buffers', h.memoryBuffers],
          ['cached', h.memoryCached],
        ] as const
      ).map(([kind, metric]) => q(d(metric), `{{instance}} ${kind}`)),
      width: 8,
    })
    .timeseries({
      title: 'Memory pressure',
      description: 'Share of time some tasks waited for memory (Linux PSI), and all tasks stalled at once.',
      unit: 'percentunit',
      queries: [q(rate(h.pressureMemoryWaiting), '{{instance}} some waiting'), q(rate(h.pressureMemoryStalled), '{{instance}} all stalled')],
      width: 8,
    })
    .timeseries({
      title: 'Swap used',
      description: 'Bytes of swap in use; steady swapping slows the IDE more than any CPU limit.',
      unit: 'bytes',
      queries: [q(`${d(h.swapTotal)} - ${d(h.swapFree)}`, '{{instance}}')],
      width: 24,
    })
    .row('Disks')
    .timeseries({
      title: 'Disk utilisation',
      description: 'Share of time each disk was busy with I/O.',
      unit: 'percentunit',
      queries: [q(d(REC.diskIoTime), '{{instance}} {{device}}')],
      min: 0,
      width: 8,
    })
    .timeseries({
      title: 'Disk saturation',
      description: 'Average number of I/O requests queued or in service; dashed line is the IdeHostDiskIoSaturated threshold.',
      unit: 'short',
      queries: [q(d(REC.diskIoWeighted), '{{instance}} {{device}}')],
      steps: above(t.hostDiskIoSaturated.levels),
      width: 8,
    })
    .timeseries({
      title: 'I/O pressure',
      description: 'Share of time some tasks waited for I/O (Linux PSI), and all tasks stalled at once.',
      unit: 'percentunit',
      queries: [q(rate(h.pressureIoWaiting), '{{instance}} some waiting'), q(rate(h.pressureIoStalled), '{{instance}} all stalled')],
      width: 8,
    })
    .timeseries({
      title: 'Disk throughput',
      description: 'Bytes read and written per second per disk.',
      unit: 'Bps',
      queries: [q(rate(h.diskReadBytes), '{{instance}} {{device}} read'), q(rate(h.diskWrittenBytes), '{{instance}} {{device}} written')],
    })
    .timeseries({
      title: 'Disk IOPS',
      description: 'Reads and writes completed per second per disk.',
      unit: 'iops',
      queries: [q(rate(h.diskReads), '{{instance}} {{device}} reads'), q(rate(h.diskWrites), '{{instance}} {{device}} writes')],
    })
    .row('Filesystems')
    .timeseries({
      title: 'Filesystem space used',
      description: 'Share of each filesystem in use; dashed lines are the IdeHostFilesystemAlmostFull thresholds.',
      unit: 'percentunit',
      queries: [q(d(REC.fsUsed), '{{instance}} {{mountpoint}}')],
      steps: above(t.hostFilesystemAlmostFull.levels),
      min: 0,
      max: 1,
      width: 8,
    })
    .timeseries({
      title: 'Filesystem inodes used',
      description: 'Share of each filesystem\u2019s inodes in use; running out of inodes fails writes with space left.',
      unit: 'percentunit',
      queries: [q(`1 - ${d(h.fsFilesFree)} / (${d(h.fsFiles)} > 0)`, '{{instance}} {{mountpoint}}')],
      min: 0,
      max: 1,
      width: 8,
    })
    .timeseries({
      title: 'Filesystem errors and read-only mounts',
      description: 'Mounts whose statistics could not be read (device error), and mounts that are read-only.',
      unit: 'none',
      queries: [
        q(`sum by (instance) (${d(h.fsDeviceError)})`, '{{instance}} device errors'),
        q(`sum by (instance) (${d(h.fsReadonly)})`, '{{instance}} read-only'),
      ],
      width: 8,
    })
    .row('Network')
    .timeseries(network('Network throughput', 'Bytes received and sent per second per interface.', 'Bps', 'bytes'))
    .timeseries(network('Network packets', 'Packets received and sent per second per interface.', 'pps', 'packets'))
    .timeseries(network('Network errors', 'Receive and transmit errors per second per interface.', 'pps', 'errs'))
    .timeseries(network('Network drops', 'Packets dropped on receive and transmit per second per interface.', 'pps', 'drop'))
    .row('System')
    .timeseries({
      title: 'File descriptors allocated',
      description: 'System-wide allocated file descriptors over the maximum; dashed lines are the IdeHostFileDescriptorsNearLimit thresholds.',
      unit: 'percentunit',
      queries: [q(d(REC.fdUsed), '{{instance}}')],
      steps: above(t.hostFileDescriptorsNearLimit.levels),
      min: 0,
      width: 8,
    })
    .timeseries({
      title: 'Processes running and blocked',
      description: 'Processes runnable and blocked on I/O right now.',
      unit: 'none',
      queries: [q(d(h.procsRunning), '{{instance}} running'), q(d(h.procsBlocked), '{{instance}} blocked')],
      width: 8,
    })
    .table({
      title: 'Hosts',
      description: 'Operating system, CPU and time since boot of each host.',
      unit: 'none',
      ...hostsTable(),
      columns: [{ title: 'Uptime', unit: 's' }],
      width: 8,
    });
  return (nodeExporter ? nodeExporterHealthRow(board) : exporterHealthRow(board)).build();

  /** Each exporter describes the host with its own info series: ide-monitor's os and cpu, node_exporter's uname and os. */
  function hostsTable(): { labels: string[]; queries: Query[] } {
    const on = `on (${config.clusterLabel}, job, instance)`;
    const uptime = `(time() - ${d(h.bootTime)})`;
    if (nodeExporter) {
      return {
        labels: ['instance', 'nodename', 'pretty_name', 'release', 'machine'],
        queries: [q(`${uptime} * ${on} group_left (nodename, release, machine) ${d('node_uname_info')} * ${on} group_left (pretty_name) ${d('node_os_info')}`)],
      };
    }
    return {
      labels: ['instance', 'hostname', 'distro', 'release', 'kernel', 'arch', 'brand', 'cores'],
      queries: [
        q(
          `${uptime} * ${on} group_left (hostname, distro, release, kernel, arch) ${d('ide_host_os_info')} * ${on} group_left (brand, cores) ${d('ide_host_cpu_info')}`,
        ),
      ],
    };
  }
}
