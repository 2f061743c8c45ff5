import type { HostMetricsMode, MonitoringConfig } from './config.js';
import { dashboardSelector, selector, type Selector } from './promql.js';

/**
 * The raw host series the rules and dashboards read, by what they measure. Both sources share label names
 * (cpu, mode, device, mountpoint, fstype), so only the metric names and the job selector differ.
 */
export interface HostMetricNames {
  readonly cpuSeconds: string;
  readonly memoryTotal: string;
  readonly memoryAvailable: string;
  readonly memoryFree: string;
  readonly memoryBuffers: string;
  readonly memoryCached: string;
  readonly swapTotal: string;
  readonly swapFree: string;
  readonly load1: string;
  readonly fdAllocated: string;
  readonly fdMax: string;
  readonly fsSize: string;
  readonly fsAvail: string;
  readonly fsFiles: string;
  readonly fsFilesFree: string;
  readonly fsReadonly: string;
  readonly fsDeviceError: string;
  readonly diskIoTime: string;
  readonly diskIoWeighted: string;
  readonly diskReadBytes: string;
  readonly diskWrittenBytes: string;
  readonly diskReads: string;
  readonly diskWrites: string;
  /** `<side>` is receive or transmit, `<counter>` bytes, packets, errs or drop: the same in both sources. */
  readonly network: (side: 'receive' | 'transmit', counter: string) => string;
  readonly pressureCpuWaiting: string;
  readonly pressureMemoryWaiting: string;
  readonly pressureMemoryStalled: string;
  readonly pressureIoWaiting: string;
  readonly pressureIoStalled: string;
  readonly contextSwitches: string;
  readonly interrupts: string;
  readonly procsRunning: string;
  readonly procsBlocked: string;
  readonly bootTime: string;
}

const IDE_MONITOR_HOST: HostMetricNames = {
  cpuSeconds: 'ide_host_cpu_seconds_total',
  memoryTotal: 'ide_host_memory_total_bytes',
  memoryAvailable: 'ide_host_memory_available_bytes',
  memoryFree: 'ide_host_memory_free_bytes',
  memoryBuffers: 'ide_host_memory_buffers_bytes',
  memoryCached: 'ide_host_memory_cached_bytes',
  swapTotal: 'ide_host_swap_total_bytes',
  swapFree: 'ide_host_swap_free_bytes',
  load1: 'ide_host_load1',
  fdAllocated: 'ide_host_file_descriptors_allocated',
  fdMax: 'ide_host_file_descriptors_max',
  fsSize: 'ide_host_filesystem_size_bytes',
  fsAvail: 'ide_host_filesystem_avail_bytes',
  fsFiles: 'ide_host_filesystem_files',
  fsFilesFree: 'ide_host_filesystem_files_free',
  fsReadonly: 'ide_host_filesystem_readonly',
  fsDeviceError: 'ide_host_filesystem_device_error',
  diskIoTime: 'ide_host_disk_io_time_seconds_total',
  diskIoWeighted: 'ide_host_disk_io_time_weighted_seconds_total',
  diskReadBytes: 'ide_host_disk_read_bytes_total',
  diskWrittenBytes: 'ide_host_disk_written_bytes_total',
  diskReads: 'ide_host_disk_reads_completed_total',
  diskWrites: 'ide_host_disk_writes_completed_total',
  network: (side, counter) => `ide_host_network_${side}_${counter}_total`,
  pressureCpuWaiting: 'ide_host_pressure_cpu_waiting_seconds_total',
  pressureMemoryWaiting: 'ide_host_pressure_memory_waiting_seconds_total',
  pressureMemoryStalled: 'ide_host_pressure_memory_stalled_seconds_total',
  pressureIoWaiting: 'ide_host_pressure_io_waiting_seconds_total',
  pressureIoStalled: 'ide_host_pressure_io_stalled_seconds_total',
  contextSwitches: 'ide_host_context_switches_total',
  interrupts: 'ide_host_interrupts_total',
  procsRunning: 'ide_host_procs_running',
  procsBlocked: 'ide_host_procs_blocked',
  bootTime: 'ide_host_boot_time_seconds',
};

/** node_exporter's names for the same measurements (collectors cpu, meminfo, loadavg, filefd, filesystem, diskstats, netdev, pressure, stat). */
const NODE_EXPORTER_HOST: HostMetricNames = {
  cpuSeconds: 'node_cpu_seconds_total',
  memoryTotal: 'node_memory_MemTotal_bytes',
  memoryAvailable: 'node_memory_MemAvailable_bytes',
  memoryFree: 'node_memory_MemFree_bytes',
  memoryBuffers: 'node_memory_Buffers_bytes',
  memoryCached: 'node_memory_Cached_bytes',
  swapTotal: 'node_memory_SwapTotal_bytes',
  swapFree: 'node_memory_SwapFree_bytes',
  load1: 'node_load1',
  fdAllocated: 'node_filefd_allocated',
  fdMax: 'node_filefd_maximum',
  fsSize: 'node_filesystem_size_bytes',
  fsAvail: 'node_filesystem_avail_bytes',
  fsFiles: 'node_filesystem_files',
  fsFilesFree: 'node_filesystem_files_free',
  fsReadonly: 'node_filesystem_readonly',
  fsDeviceError: 'node_filesystem_device_error',
  diskIoTime: 'node_disk_io_time_seconds_total',
  diskIoWeighted: 'node_disk_io_time_weighted_seconds_total',
  diskReadBytes: 'node_disk_read_bytes_total',
  diskWrittenBytes: 'node_disk_written_bytes_total',
  diskReads: 'node_disk_reads_completed_total',
  diskWrites: 'node_disk_writes_completed_total',
  network: (side, counter) => `node_network_${side}_${counter}_total`,
  pressureCpuWaiting: 'node_pressure_cpu_waiting_seconds_total',
  pressureMemoryWaiting: 'node_pressure_memory_waiting_seconds_total',
  pressureMemoryStalled: 'node_pressure_memory_stalled_seconds_total',
  pressureIoWaiting: 'node_pressure_io_waiting_seconds_total',
  pressureIoStalled: 'node_pressure_io_stalled_seconds_total',
  contextSwitches: 'node_context_switches_total',
  interrupts: 'node_intr_total',
  procsRunning: 'node_procs_running',
  procsBlocked: 'node_procs_blocked',
  bootTime: 'node_boot_time_seconds',
};

export function hostMetricNames(mode: HostMetricsMode): HostMetricNames {
  return mode === 'node_exporter' ? NODE_EXPORTER_HOST : IDE_MONITOR_HOST;
}

/** The matchers (without braces) that select the raw host series in rules. */
export function hostSelector(config: MonitoringConfig): string {
  return config.hostMetrics === 'node_exporter' ? config.nodeExporterSelector : config.selector;
}

/** The dashboards' variable that picks node_exporter instances where ide-monitor's job and instance pick the exporter. */
export const NODE_VARIABLE = 'node';

/** The series the host dashboard's cluster, job and instance variables list: whichever exporter serves the host data. */
export function hostVariableSource(config: MonitoringConfig): string | undefined {
  return config.hostMetrics === 'node_exporter' ? `node_uname_info{${config.nodeExporterSelector}}` : undefined;
}

/**
 * Host series on a dashboard. On the host dashboard (`own`) the job and instance variables list the host
 * exporter itself. Elsewhere, in node_exporter mode, they list ide-monitor (LSP, application) and a
 * `node` variable picks node_exporter's instance: the two exporters listen on different ports.
 */
export function dashboardHostSelector(config: MonitoringConfig, own: boolean): Selector {
  if (config.hostMetrics === 'ide-monitor' || own) return dashboardSelector(config.clusterLabel);
  return selector(`${config.clusterLabel}=~"$cluster", ${config.nodeExporterSelector}, instance=~"$${NODE_VARIABLE}"`);
}

/**
 * Prometheus' ALERTS series for a dashboard's selection. In node_exporter mode the host alerts carry
 * node_exporter's job and instance, which the job and instance variables (ide-monitor's) do not match:
 * they are added through the `node` variable.
 */
export function dashboardAlerts(config: MonitoringConfig, ...matchers: string[]): string {
  const own = dashboardSelector(config.clusterLabel)('ALERTS', ...matchers);
  if (config.hostMetrics === 'ide-monitor') return own;
  return `(${own} or ${dashboardHostSelector(config, false)('ALERTS', ...matchers)})`;
}
