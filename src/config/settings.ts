import { COLLECTOR_DESCRIPTIONS } from './collector-descriptions.js';
import { BRIDGE_SETTINGS } from './sections/bridge.js';
import { INGEST_SETTINGS } from './sections/ingest.js';
import { REMOTE_WRITE_SETTINGS } from './sections/remote-write.js';
import { STATUS_SETTINGS } from './sections/status.js';
import type { Setting } from './setting.js';

/** Every setting of `serve`, in `--help` order: its own, then each config section's (sections/*.ts). */
export const SERVE_SETTINGS: readonly Setting[] = [
  { name: 'web.listen-address', path: ['web', 'listen_address'], kind: 'address', help: 'Address to listen on for the web interface and telemetry.' },
  { name: 'web.telemetry-path', path: ['web', 'telemetry_path'], kind: 'string', help: 'Path under which to expose metrics.' },
  { name: 'web.config.file', path: ['web', 'config_file'], kind: 'string', help: 'Exporter-toolkit web config file (TLS, basic auth).' },
  { name: 'web.headers-timeout', path: ['web', 'headers_timeout'], kind: 'duration', help: 'Time a client has to send its request headers; slower ones get 408 and are disconnected.' },
  { name: 'web.request-timeout', path: ['web', 'request_timeout'], kind: 'duration', help: 'Time a client has to send its whole request (headers and body); slower ones get 408 and are disconnected.' },
  { name: 'web.disable-exporter-metrics', path: ['web', 'disable_exporter_metrics'], kind: 'boolean', help: 'Exclude the exporter\'s own process_* and nodejs_* metrics from /metrics (as node_exporter\'s flag does for go_* and process_*).' },
  { name: 'web.max-connections', path: ['web', 'max_connections'], kind: 'string', help: 'Most open HTTP connections; more are dropped as they arrive, with a warning in the log.' },
  { name: 'log.level', path: ['log', 'level'], kind: 'string', help: 'Only log messages with the given severity or above: debug, info, warn, error.' },
  { name: 'log.format', path: ['log', 'format'], kind: 'string', help: 'Output format of log messages: logfmt or json.' },
  { name: 'path.procfs', path: ['paths', 'procfs'], kind: 'string', help: 'procfs mount point (the host\'s /proc in a container).' },
  { name: 'path.rootfs', path: ['paths', 'rootfs'], kind: 'string', help: 'Root filesystem mount point; mount points are resolved under it.' },
  { name: 'collector.disable-defaults', path: ['collectors', 'disable_defaults'], kind: 'boolean', help: 'Turn off every collector not enabled explicitly; then enable them one by one with --collector.<name>.' },
  { name: 'collector.timeout', path: ['collectors', 'timeout'], kind: 'duration', help: 'Time a collector may take before it is reported as failed.' },
  ...Object.entries(COLLECTOR_DESCRIPTIONS).map(([collector, description]) => ({
    name: `collector.${collector}`,
    path: ['collectors', collector, 'enabled'],
    kind: 'boolean' as const,
    help: `Enable the ${collector} collector: ${description}`,
  })),
  { name: 'collector.filesystem.mount-points-exclude', path: ['collectors', 'filesystem', 'mount_points_exclude'], kind: 'string', help: 'Regexp of mount points to exclude.' },
  { name: 'collector.filesystem.fs-types-exclude', path: ['collectors', 'filesystem', 'fs_types_exclude'], kind: 'string', help: 'Regexp of filesystem types to exclude.' },
  { name: 'collector.diskio.device-exclude', path: ['collectors', 'diskio', 'device_exclude'], kind: 'string', help: 'Regexp of block devices to exclude.' },
  { name: 'collector.network.device-exclude', path: ['collectors', 'network', 'device_exclude'], kind: 'string', help: 'Regexp of network devices to exclude.' },
  ...INGEST_SETTINGS,
  ...BRIDGE_SETTINGS,
  ...STATUS_SETTINGS,
  ...REMOTE_WRITE_SETTINGS,
];
