/**
 * Recording rule names (`level:metric:operations`), shared by the rules that define them, the alerts and
 * the dashboards that read them. The level lists the labels kept besides the target's own (job, instance,
 * and whatever the scrape adds: cluster, namespace, pod, service): rules aggregate `without` the labels they
 * fold, never `by` a fixed list, so two clusters with the same instance address never merge.
 */
export const REC = {
  cpuBusy: 'instance:ide_host_cpu_busy:ratio_rate5m',
  memoryUsed: 'instance:ide_host_memory_used:ratio',
  load1PerCpu: 'instance:ide_host_load1_per_cpu:ratio',
  fdUsed: 'instance:ide_host_file_descriptors:ratio',
  fsUsed: 'instance_mountpoint:ide_host_filesystem_used:ratio',
  fsFilesUsed: 'instance_mountpoint:ide_host_filesystem_files_used:ratio',
  diskIoTime: 'instance_device:ide_host_disk_io_time_seconds:rate5m',
  diskIoWeighted: 'instance_device:ide_host_disk_io_time_weighted_seconds:rate5m',
  lspBuckets: 'instance_server_method:ide_lsp_request_duration_seconds_bucket:rate5m',
  lspP50: 'instance_server_method:ide_lsp_request_duration_seconds:p50_rate5m',
  lspP95: 'instance_server_method:ide_lsp_request_duration_seconds:p95_rate5m',
  lspP99: 'instance_server_method:ide_lsp_request_duration_seconds:p99_rate5m',
  lspRequests: 'instance_server_method:ide_lsp_requests:rate5m',
  lspErrorRatio: 'instance_server_method:ide_lsp_request_errors:ratio_rate5m',
  lspP95Avg1d: 'instance_server_method:ide_lsp_request_duration_seconds:p95_rate5m_avg1d',
  lspP95Stddev1d: 'instance_server_method:ide_lsp_request_duration_seconds:p95_rate5m_stddev1d',
  cacheHitRatio: 'instance_cache:ide_app_cache_hit:ratio_rate5m',
  cacheRequests: 'instance_cache:ide_app_cache_requests:rate5m',
  operationP95: 'instance_operation:ide_app_operation_duration_seconds:p95_rate5m',
  operations: 'instance_operation:ide_app_operations:rate5m',
  operationErrorRatio: 'instance_operation:ide_app_operation_errors:ratio_rate5m',
  rssGrowth: 'instance_group:ide_process_resident_memory_bytes:growth1h_ratio',
} as const;

/** The labels the LSP rules fold: the outcome of a request (`le` stays for histogram_quantile). */
export const LSP_FOLDED = 'outcome';

/**
 * Age in seconds of the oldest editor-to-server request still unanswered, per server (and method where the
 * proxy reports it); 0 when none is in flight. Exported by the LSP proxy through the exporter.
 */
export const OLDEST_IN_FLIGHT = 'ide_lsp_oldest_inflight_request_age_seconds';
