import { z } from 'zod';

/**
 * The wire format of `POST /api/v1/ingest`, version 1: what `ide-monitor lsp-proxy` and in-process IDE
 * backends send. Counters travel as events or deltas (summed by the exporter); the proxy's gauges travel
 * as its latest absolute state (`lsp_state`), kept per reporting instance and expired when the instance
 * stops reporting, so a proxy killed without a goodbye does not pin its gauges forever.
 */
export const INGEST_VERSION = 1;
/** Where batches are posted: the exporter's route and the reporter's target. */
export const INGEST_PATH = '/api/v1/ingest';
export const MAX_OBSERVATIONS_PER_BATCH = 10_000;

/** Bounds shared with the hand-written fast path (fast-validate.ts), which must accept exactly what zod accepts. */
export const NAME_MAX_LENGTH = 200;
export const MAX_SECONDS = 86_400;
export const MAX_COUNT = 1e12;
export const EXIT_CODE_MAX_LENGTH = 20;

const name = z.string().min(1).max(NAME_MAX_LENGTH);
const direction = z.enum(['client_to_server', 'server_to_client']);
const seconds = z.number().finite().nonnegative().max(MAX_SECONDS);
const count = z.number().int().nonnegative().max(MAX_COUNT);

export const lspRequestObservation = z.strictObject({
  kind: z.literal('lsp_request'),
  server: name,
  method: name,
  /** Who sent the request: client_to_server for editor requests, server_to_client for e.g. workspace/configuration. */
  direction: direction.default('client_to_server'),
  outcome: z.enum(['ok', 'error', 'cancelled', 'short_circuited']),
  duration_seconds: seconds,
  /** JSON-RPC error code when outcome is error (or a cancelled request answered with an error). */
  error_code: z.number().int().optional(),
});

export const lspNotificationObservation = z.strictObject({
  kind: z.literal('lsp_notification'),
  server: name,
  method: name,
  direction,
  count: count.default(1),
});

export const lspBytesObservation = z.strictObject({
  kind: z.literal('lsp_bytes'),
  server: name,
  direction,
  bytes: count,
});

/** The server process started or exited (code is the exit code, or the signal name when killed). */
export const lspServerObservation = z.strictObject({
  kind: z.literal('lsp_server'),
  server: name,
  event: z.enum(['start', 'exit']),
  code: z.union([z.number().int(), z.string().max(EXIT_CODE_MAX_LENGTH)]).optional(),
});

/** Latest absolute gauges of one proxy: replaces the instance's previous state. */
export const lspStateObservation = z.strictObject({
  kind: z.literal('lsp_state'),
  server: name,
  up: z.boolean(),
  in_flight: z.strictObject({ client_to_server: count, server_to_client: count }),
  diagnostics: z.strictObject({ error: count, warning: count, information: count, hint: count }),
});

/** Observations the reporter had to drop (buffer full while the exporter was unreachable). */
export const lspDroppedObservation = z.strictObject({
  kind: z.literal('lsp_dropped'),
  server: name,
  count,
});

export const operationObservation = z.strictObject({
  kind: z.literal('operation'),
  operation: name,
  outcome: z.enum(['ok', 'error']).default('ok'),
  duration_seconds: seconds,
});

export const cacheObservation = z.strictObject({
  kind: z.literal('cache'),
  cache: name,
  result: z.enum(['hit', 'miss']),
  count: count.default(1),
});

export const observationSchema = z.discriminatedUnion('kind', [
  lspRequestObservation,
  lspNotificationObservation,
  lspBytesObservation,
  lspServerObservation,
  lspStateObservation,
  lspDroppedObservation,
  operationObservation,
  cacheObservation,
]);

export const ingestBatchSchema = z.strictObject({
  version: z.literal(INGEST_VERSION),
  /**
   * Identifies the reporting process (e.g. `lsp-proxy:<hostname>:<pid>`), the key under which `lsp_state`
   * is kept; optional for reporters that send no state (state sent without it is kept per remote
   * address). Every batch that carries it, even one with no observations, is the instance's heartbeat.
   */
  instance: z.string().min(1).max(NAME_MAX_LENGTH).optional(),
  observations: z.array(observationSchema).max(MAX_OBSERVATIONS_PER_BATCH),
});

export type Observation = z.output<typeof observationSchema>;
export type ObservationInput = z.input<typeof observationSchema>;
export type ObservationKind = Observation['kind'];
export type IngestBatch = z.output<typeof ingestBatchSchema>;
export type IngestBatchInput = z.input<typeof ingestBatchSchema>;
