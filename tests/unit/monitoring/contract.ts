/**
 * The metric names the monitoring content may use: the contract of METRICS.md, the extra host names the
 * collectors export, one proposed addition, Prometheus' own series and prom-client's defaults.
 * A rule or panel naming anything else is a typo or a metric nobody exports.
 */
export const CONTRACT: readonly string[] = [
  'ide_host_cpu_seconds_total',
  'ide_host_load1',
  'ide_host_load5',
  'ide_host_load15',
  'ide_host_context_switches_total',
  'ide_host_interrupts_total',
  'ide_host_memory_total_bytes',
  'ide_host_memory_available_bytes',
  'ide_host_memory_free_bytes',
  'ide_host_memory_buffers_bytes',
  'ide_host_memory_cached_bytes',
  'ide_host_swap_total_bytes',
  'ide_host_swap_free_bytes',
  'ide_host_filesystem_size_bytes',
  'ide_host_filesystem_avail_bytes',
  'ide_host_filesystem_free_bytes',
  'ide_host_filesystem_files',
  'ide_host_filesystem_files_free',
  'ide_host_filesystem_readonly',
  'ide_host_disk_read_bytes_total',
  'ide_host_disk_written_bytes_total',
  'ide_host_disk_reads_completed_total',
  'ide_host_disk_writes_completed_total',
  'ide_host_disk_io_time_seconds_total',
  'ide_host_network_receive_bytes_total',
  'ide_host_network_transmit_bytes_total',
  'ide_host_network_receive_packets_total',
  'ide_host_network_transmit_packets_total',
  'ide_host_network_receive_errs_total',
  'ide_host_network_transmit_errs_total',
  'ide_host_network_receive_drop_total',
  'ide_host_network_transmit_drop_total',
  'ide_host_boot_time_seconds',
  'ide_host_procs_running',
  'ide_host_procs_blocked',
  'ide_host_file_descriptors_allocated',
  'ide_host_file_descriptors_max',
  'ide_host_pressure_cpu_waiting_seconds_total',
  'ide_host_pressure_memory_stalled_seconds_total',
  'ide_host_pressure_io_stalled_seconds_total',
  'ide_process_cpu_seconds_total',
  'ide_process_resident_memory_bytes',
  'ide_process_virtual_memory_bytes',
  'ide_process_open_fds',
  'ide_process_threads',
  'ide_process_count',
  'ide_process_oldest_start_time_seconds',
  'ide_process_restarts_total',
  'ide_lsp_request_duration_seconds',
  'ide_lsp_requests_in_flight',
  'ide_lsp_request_errors_total',
  'ide_lsp_notifications_total',
  'ide_lsp_message_bytes_total',
  'ide_lsp_diagnostics',
  'ide_lsp_server_up',
  'ide_lsp_server_starts_total',
  'ide_lsp_server_exits_total',
  'ide_app_operation_duration_seconds',
  'ide_app_cache_requests_total',
  'ide_ingest_batches_total',
  'ide_ingest_observations_total',
  'ide_ingest_label_overflow_total',
  'ide_bridge_webhook_requests_total',
  'ide_bridge_alerts_received_total',
  'ide_bridge_notifications_total',
  'ide_bridge_notification_duration_seconds',
  'ide_bridge_outbox_pending',
  'ide_bridge_outbox_oldest_age_seconds',
  'ide_bridge_actions_total',
  'ide_exporter_build_info',
  'ide_exporter_collector_duration_seconds',
  'ide_exporter_collector_success',
];

/** Exported by the host collectors beyond METRICS.md's table. */
export const HOST_EXTRAS: readonly string[] = [
  'ide_host_filesystem_device_error',
  'ide_host_disk_io_time_weighted_seconds_total',
  'ide_host_pressure_memory_waiting_seconds_total',
  'ide_host_pressure_io_waiting_seconds_total',
  'ide_host_os_info',
  'ide_host_cpu_info',
];

/**
 * Proposed additions to METRICS.md: the LSP proxy's drop counter, reported through the exporter, and the
 * age of the oldest unanswered editor request (IdeLspRequestsStuck), a gauge per server (and method).
 */
const PROPOSED: readonly string[] = ['ide_lsp_proxy_observations_dropped_total', 'ide_lsp_oldest_inflight_request_age_seconds'];

/**
 * node_exporter 1.5's series the node_exporter mode (`hostMetrics: node_exporter`) reads, from its default
 * collectors (cpu, meminfo, loadavg, filefd, filesystem, diskstats, netdev, pressure, stat, uname, os).
 */
export const NODE_EXPORTER: readonly string[] = [
  'node_cpu_seconds_total',
  'node_load1',
  'node_context_switches_total',
  'node_intr_total',
  'node_memory_MemTotal_bytes',
  'node_memory_MemAvailable_bytes',
  'node_memory_MemFree_bytes',
  'node_memory_Buffers_bytes',
  'node_memory_Cached_bytes',
  'node_memory_SwapTotal_bytes',
  'node_memory_SwapFree_bytes',
  'node_filesystem_size_bytes',
  'node_filesystem_avail_bytes',
  'node_filesystem_files',
  'node_filesystem_files_free',
  'node_filesystem_readonly',
  'node_filesystem_device_error',
  'node_disk_io_time_seconds_total',
  'node_disk_io_time_weighted_seconds_total',
  'node_disk_read_bytes_total',
  'node_disk_written_bytes_total',
  'node_disk_reads_completed_total',
  'node_disk_writes_completed_total',
  ...['receive', 'transmit'].flatMap((side) => ['bytes', 'packets', 'errs', 'drop'].map((c) => `node_network_${side}_${c}_total`)),
  'node_pressure_cpu_waiting_seconds_total',
  'node_pressure_memory_waiting_seconds_total',
  'node_pressure_memory_stalled_seconds_total',
  'node_pressure_io_waiting_seconds_total',
  'node_pressure_io_stalled_seconds_total',
  'node_procs_running',
  'node_procs_blocked',
  'node_boot_time_seconds',
  'node_filefd_allocated',
  'node_filefd_maximum',
  'node_uname_info',
  'node_os_info',
  'node_scrape_collector_success',
  'node_scrape_collector_duration_seconds',
];

const HISTOGRAMS: readonly string[] = ['ide_lsp_request_duration_seconds', 'ide_app_operation_duration_seconds', 'ide_bridge_notification_duration_seconds'];

/** Series Prometheus itself makes, and prom-client's default metrics (exposed unprefixed, per METRICS.md). */
const BUILTIN = new Set(['up', 'scrape_duration_seconds', 'ALERTS']);
const NODE_DEFAULTS = /^(process|nodejs)_[a-z0-9_]+$/;

const ALLOWED = new Set([...CONTRACT, ...HOST_EXTRAS, ...PROPOSED]);

/** Whether a selector's metric name is one we may use; histogram series resolve to their family. */
export function isKnownMetric(name: string, recordingRules: ReadonlySet<string>, nodeExporter = false): boolean {
  if ((nodeExporter && NODE_EXPORTER.includes(name)) || ALLOWED.has(name) || BUILTIN.has(name) || recordingRules.has(name) || NODE_DEFAULTS.test(name))
    return true;
  const family = name.replace(/_(bucket|count|sum)$/, '');
  return family !== name && HISTOGRAMS.includes(family);
}
