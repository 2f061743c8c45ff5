import { z } from 'zod';
import { COLLECTORS } from '../exporter/collectors/index.js';
import { duration, listenAddress, positiveInt } from './schema-types.js';
import { accessSchema } from './sections/access.js';
import { bridgeSchema } from './sections/bridge.js';
import { ingestSchema } from './sections/ingest.js';
import { collectorsSchemaOf } from './sections/collectors.js';
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

/** node_exporter's default filesystem types to skip; it lives with the filesystem collector that declares it. */
export { DEFAULT_FS_TYPES_EXCLUDE } from '../exporter/collectors/filesystem.js';

/** The `collectors:` section, from the collectors' own definitions (each collector's file declares its options). */
export const collectorsSchema = collectorsSchemaOf(COLLECTORS);

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
