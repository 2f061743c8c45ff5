import { z } from 'zod';
import { duration, enabled, listenAddress, positiveInt, regex } from './schema-types.js';
import { accessSchema } from './sections/access.js';
import { bridgeSchema } from './sections/bridge.js';
import { ingestSchema } from './sections/ingest.js';
import { processCollectorSchema } from './sections/process.js';
import { globalSchema, remoteWriteSchema } from './sections/remote-write.js';
import { statusSchema } from './sections/status.js';

/** The default port: 9100–9999 is fully allocated on Prometheus' port list, so we sit just past it. */
export const DEFAULT_PORT = 10451;

/**
 * How slowly, and how many, clients may talk to the HTTP server (the `web.*` defaults). Scrapes, webhooks
 * and ingest batches are small requests from nearby machines: 10 s for headers is generous for them yet
 * cuts a slow-loris socket six times sooner than Node's 60 s; 30 s covers a 4 MiB webhook body at about
 * 1 Mbit/s. The connection cap bounds memory and file descriptors; a single machine's scrapers, Alertmanagers,
 * LSP proxies and status pages stay far below it.
 */
export const HTTP_LIMIT_DEFAULTS = { headers_timeout: 10_000, request_timeout: 30_000, max_connections: 1024 } as const;

/** node_exporter's defaults: virtual and container-internal filesystems say nothing about disk space. */
const DEFAULT_MOUNT_POINTS_EXCLUDE = '^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)';
export const DEFAULT_FS_TYPES_EXCLUDE =
  '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$';
/** Partitions and ram/loop devices double-count their parent disk's I/O. */
const DEFAULT_DISK_DEVICE_EXCLUDE = '^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$';
const DEFAULT_NETWORK_DEVICE_EXCLUDE = '^(lo|veth.*)$';

const plainCollector = (on: boolean) => z.strictObject({ enabled: enabled(on) }).prefault({});

export const collectorsSchema = z
  .strictObject({
    timeout: duration.default(5000),
    /**
     * node_exporter's `--collector.disable-defaults`: every collector not enabled explicitly (file,
     * environment or flag) is off. Applied by loadConfig before the defaults, see there.
     */
    disable_defaults: z.boolean().default(false),
    cpu: plainCollector(true),
    load: plainCollector(true),
    stat: plainCollector(true),
    memory: plainCollector(true),
    filesystem: z
      .strictObject({
        enabled: enabled(true),
        mount_points_exclude: regex.default(DEFAULT_MOUNT_POINTS_EXCLUDE),
        fs_types_exclude: regex.default(DEFAULT_FS_TYPES_EXCLUDE),
      })
      .prefault({}),
    diskio: z
      .strictObject({ enabled: enabled(true), device_exclude: regex.default(DEFAULT_DISK_DEVICE_EXCLUDE) })
      .prefault({}),
    network: z
      .strictObject({ enabled: enabled(true), device_exclude: regex.default(DEFAULT_NETWORK_DEVICE_EXCLUDE) })
      .prefault({}),
    filefd: plainCollector(true),
    pressure: plainCollector(true),
    hostinfo: plainCollector(true),
    process: processCollectorSchema,
  })
  .prefault({});

export const configSchema = z
  .strictObject({
    web: z
      .strictObject({
        listen_address: listenAddress.prefault(`:${DEFAULT_PORT}`),
        telemetry_path: z.string().startsWith('/', 'must start with "/"').default('/metrics'),
        config_file: z.string().min(1).optional(),
        /** A client must send its request headers within this, or it gets 408 and is cut (slow-loris). */
        headers_timeout: duration.default(HTTP_LIMIT_DEFAULTS.headers_timeout),
        /** A client must send its whole request, body included, within this; answers may take longer. */
        request_timeout: duration.default(HTTP_LIMIT_DEFAULTS.request_timeout),
        /** Connections beyond this are dropped as they arrive, with a warning in the log. */
        max_connections: positiveInt.pipe(z.number().max(1_000_000)).default(HTTP_LIMIT_DEFAULTS.max_connections),
        /** node_exporter's flag of the same name: leave out the exporter's own process_* and nodejs_* metrics. */
        disable_exporter_metrics: z.boolean().default(false),
      })
      .refine((w) => w.headers_timeout <= w.request_timeout, 'web.headers_timeout must be at most web.request_timeout')
      .prefault({}),
    log: z
      .strictObject({
        level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
        format: z.enum(['logfmt', 'json']).default('logfmt'),
      })
      .prefault({}),
    paths: z
      .strictObject({
        procfs: z.string().min(1).default('/proc'),
        rootfs: z.string().min(1).default('/'),
      })
      .prefault({}),
    collectors: collectorsSchema,
    ingest: ingestSchema,
    bridge: bridgeSchema,
    status: statusSchema,
    global: globalSchema,
    remote_write: remoteWriteSchema,
    access: accessSchema,
  })
  .prefault({});

export type Config = z.output<typeof configSchema>;
export type CollectorsConfig = Config['collectors'];
export type CollectorName = Exclude<keyof CollectorsConfig, 'timeout' | 'disable_defaults'>;
