import { z } from 'zod';
import { byteSize, duration, enabled, positiveInt } from '../schema-types.js';
import type { Setting } from '../setting.js';

const labelValues = z.array(z.string().min(1).max(200)).min(1);

/** `ingest:` — the ingestion API (`POST /api/v1/ingest`) fed by LSP proxies and IDE backends. */
export const ingestSchema = z
  .strictObject({
    enabled: enabled(true),
    /** Bearer token callers must send; without one only loopback callers are accepted. */
    token: z.string().min(1).optional(),
    /** A file holding the token (a mounted secret); `token` wins when both are set. */
    token_file: z.string().min(1).optional(),
    /** Larger bodies are answered 413 without being read. */
    max_body_size: byteSize.default(2 ** 20),
    /** Distinct values a bounded label (server, operation, cache) may take before new ones fold into `other`. */
    max_label_values: positiveInt.default(100),
    /** Per label, the only values admitted (the cap does not apply then); the rest fold into `other`. */
    allowlists: z
      .strictObject({
        server: labelValues.optional(),
        operation: labelValues.optional(),
        cache: labelValues.optional(),
      })
      .prefault({}),
    /** A reporting instance silent for longer is gone: its gauges vanish and its servers count as not up. */
    instance_stale_after: duration.default(60_000),
    /** How long `ide_lsp_server_up` stays 0 after the last instance of a server went down, so the alert can fire. */
    server_retention: duration.default(15 * 60_000),
  })
  .prefault({});

export type IngestConfig = z.output<typeof ingestSchema>;

export const INGEST_SETTINGS: readonly Setting[] = [
  {
    name: 'ingest.token',
    path: ['ingest', 'token'],
    kind: 'string',
    secret: true,
    help: 'Bearer token required by POST /api/v1/ingest (without one, only loopback callers are accepted).',
  },
  {
    name: 'ingest.max-body-size',
    path: ['ingest', 'max_body_size'],
    kind: 'string',
    help: 'Largest ingestion request body, e.g. 1MiB; larger ones are answered 413.',
  },
  {
    name: 'ingest.max-label-values',
    path: ['ingest', 'max_label_values'],
    kind: 'string',
    help: 'Distinct values per ingested label (server, operation, cache) before new ones fold into "other".',
  },
  {
    name: 'ingest.instance-stale-after',
    path: ['ingest', 'instance_stale_after'],
    kind: 'duration',
    help: 'A reporting instance silent for longer is expired: its gauges vanish.',
  },
  {
    name: 'ingest.server-retention',
    path: ['ingest', 'server_retention'],
    kind: 'duration',
    help: 'How long ide_lsp_server_up stays 0 after the last instance of a server went down.',
  },
];
