import { z } from 'zod';
import { enabled } from '../schema-types.js';
import type { Setting } from '../settings.js';

/** `ingest:` — the ingestion API (`POST /api/v1/ingest`) fed by LSP proxies and IDE backends. */
export const ingestSchema = z
  .strictObject({
    enabled: enabled(true),
    /** Bearer token callers must send; without one only loopback callers are accepted. */
    token: z.string().min(1).optional(),
  })
  .prefault({});

export const INGEST_SETTINGS: readonly Setting[] = [
  { name: 'ingest.token', path: ['ingest', 'token'], kind: 'string', secret: true, help: 'Bearer token required by POST /api/v1/ingest (without one, only loopback callers are accepted).' },
];
