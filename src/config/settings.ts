import { COLLECTORS } from '../exporter/collectors/index.js';
import { BRIDGE_SETTINGS } from './sections/bridge.js';
import { collectorSettingsOf } from './sections/collectors.js';
import { INGEST_SETTINGS } from './sections/ingest.js';
import { REMOTE_WRITE_SETTINGS } from './sections/remote-write.js';
import { STATUS_SETTINGS } from './sections/status.js';
import type { Setting } from './setting.js';

/** Every setting of `serve`, in `--help` order: its own, then each config section's (sections/*.ts; the collectors' from their definitions). */
export const SERVE_SETTINGS: readonly Setting[] = [
  { name: 'web.listen-address', path: ['web', 'listen_address'], kind: 'address', help: 'Address to listen on for the web interface and telemetry.' },
  { name: 'web.telemetry-path', path: ['web', 'telemetry_path'], kind: 'string', help: 'Path under which to expose metrics.' },
  { name: 'web.config.file', path: ['web', 'config_file'], kind: 'string', help: 'Exporter-toolkit web config file (TLS, basic auth).' },
  {
    name: 'web.headers-timeout',
    path: ['web', 'headers_timeout'],
    kind: 'duration',
    help: 'Time a client has to send its request headers; slower ones get 408 and are disconnected.',
  },
  {
    name: 'web.request-timeout',
    path: ['web', 'request_timeout'],
    kind: 'duration',
    help: 'Time a client has to send its whole request (headers and body); slower ones get 408 and are disconnected.',
  },
  {
    name: 'web.disable-exporter-metrics',
    path: ['web', 'disable_exporter_metrics'],
    kind: 'boolean',
    help: "Exclude the exporter's own process_* and nodejs_* metrics from /metrics (as node_exporter's flag does for go_* and process_*).",
  },
  {
    name: 'web.max-connections',
    path: ['web', 'max_connections'],
    kind: 'string',
    help: 'Most open HTTP connections; more are dropped as they arrive, with a warning in the log.',
  },
  { name: 'log.level', path: ['log', 'level'], kind: 'string', help: 'Only log messages with the given severity or above: debug, info, warn, error.' },
  { name: 'log.format', path: ['log', 'format'], kind: 'string', help: 'Output format of log messages: logfmt or json.' },
  { name: 'path.procfs', path: ['paths', 'procfs'], kind: 'string', help: "procfs mount point (the host's /proc in a container)." },
  { name: 'path.rootfs', path: ['paths', 'rootfs'], kind: 'string', help: 'Root filesystem mount point; mount points are resolved under it.' },
  ...collectorSettingsOf(COLLECTORS),
  ...INGEST_SETTINGS,
  ...BRIDGE_SETTINGS,
  ...STATUS_SETTINGS,
  ...REMOTE_WRITE_SETTINGS,
];
