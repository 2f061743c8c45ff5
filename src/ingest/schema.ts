import { z } from 'zod';
import {
  EXIT_CODE_MAX_LENGTH,
  INGEST_VERSION,
  INGEST_VERSION_CONTROL,
  MAX_ACKS_PER_BATCH,
  MAX_BREAKERS,
  COMMAND_ID_MAX_LENGTH,
  MAX_COUNT,
  MAX_OBSERVATIONS_PER_BATCH,
  MAX_SECONDS,
  NAME_MAX_LENGTH,
} from './limits.js';

/**
 * The wire format of `POST /api/v1/ingest`, version 1: what `ide-monitor lsp-proxy` and in-process IDE
 * backends send. Counters travel as events or deltas (summed by the exporter); the proxy's gauges travel
 * as its latest absolute state (`lsp_state`), kept per reporting instance and expired when the instance
 * stops reporting, so a proxy killed without a goodbye does not pin its gauges forever.
 */
export * from './limits.js';

const name = z.string().min(1).max(NAME_MAX_LENGTH);
const direction = z.enum(['client_to_server', 'server_to_client']);
const seconds = z.number().finite().nonnegative().max(MAX_SECONDS);
const count = z.number().int().nonnegative().max(MAX_COUNT);

const lspRequestObservation = z.strictObject({
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

const lspNotificationObservation = z.strictObject({
  kind: z.literal('lsp_notification'),
  server: name,
  method: name,
  direction,
  count: count.default(1),
});

const lspBytesObservation = z.strictObject({
  kind: z.literal('lsp_bytes'),
  server: name,
  direction,
  bytes: count,
});

/** The server process started or exited (code is the exit code, or the signal name when killed). */
const lspServerObservation = z.strictObject({
  kind: z.literal('lsp_server'),
  server: name,
  event: z.enum(['start', 'exit']),
  code: z.union([z.number().int(), z.string().max(EXIT_CODE_MAX_LENGTH)]).optional(),
  /**
   * (v2) `client_disconnect`: the server exited after the editor went away (stdin closed, stdout broken),
   * whatever its code. Not a crash: counted apart and never leaves the server "down".
   */
  cause: z.literal('client_disconnect').optional(),
});

/** (v2) The proxy replaced its server process: on a command, or after a crash with --restart-on-crash. */
const lspRestartObservation = z.strictObject({
  kind: z.literal('lsp_restart'),
  server: name,
  reason: z.enum(['command', 'crash']),
});

/** Latest absolute gauges of one proxy: replaces the instance's previous state. */
const lspStateObservation = z.strictObject({
  kind: z.literal('lsp_state'),
  server: name,
  up: z.boolean(),
  in_flight: z.strictObject({ client_to_server: count, server_to_client: count }),
  diagnostics: z.strictObject({ error: count, warning: count, information: count, hint: count }),
  /** (v2) Method patterns whose circuit breaker is open in this proxy. */
  breakers: z.array(name).max(MAX_BREAKERS).optional(),
  /** Seconds the oldest editor → server request has waited for its answer (0 when none). */
  oldest_in_flight_seconds: z.number().nonnegative().max(1e9).optional(),
});

/** Observations the reporter had to drop (buffer full while the exporter was unreachable). */
const lspDroppedObservation = z.strictObject({
  kind: z.literal('lsp_dropped'),
  server: name,
  count,
});

const operationObservation = z.strictObject({
  kind: z.literal('operation'),
  operation: name,
  outcome: z.enum(['ok', 'error']).default('ok'),
  duration_seconds: seconds,
});

const cacheObservation = z.strictObject({
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
  lspRestartObservation,
  operationObservation,
  cacheObservation,
]);

/** (v2) A command from the control channel, acknowledged in the batch after it was executed (or refused). */
const commandAck = z.strictObject({
  id: z.string().min(1).max(COMMAND_ID_MAX_LENGTH),
  outcome: z.enum(['done', 'failed']),
  detail: z.string().max(NAME_MAX_LENGTH).optional(),
});

export const ingestBatchSchema = z
  .strictObject({
    version: z.union([z.literal(INGEST_VERSION), z.literal(INGEST_VERSION_CONTROL)]),
    /**
     * Identifies the reporting process (e.g. `lsp-proxy:<hostname>:<pid>`), the key under which `lsp_state`
     * is kept; optional for reporters that send no state (state sent without it is kept per remote
     * address). Every batch that carries it, even one with no observations, is the instance's heartbeat.
     */
    instance: z.string().min(1).max(NAME_MAX_LENGTH).optional(),
    observations: z.array(observationSchema).max(MAX_OBSERVATIONS_PER_BATCH),
    acks: z.array(commandAck).max(MAX_ACKS_PER_BATCH).optional(),
  })
  .superRefine((batch, ctx) => {
    if (batch.version !== INGEST_VERSION) return;
    const v2 = batch.acks !== undefined ? 'acks' : batch.observations.findIndex(usesVersion2);
    if (v2 === -1) return;
    ctx.addIssue({
      code: 'custom',
      path: v2 === 'acks' ? ['acks'] : ['observations', v2],
      message: 'needs "version": 2 (acks, lsp_restart, breakers and cause came with version 2)',
    });
  });

/** Fields and kinds that version 1 does not have. */
function usesVersion2(o: z.output<typeof observationSchema>): boolean {
  return o.kind === 'lsp_restart' || (o.kind === 'lsp_state' && o.breakers !== undefined) || (o.kind === 'lsp_server' && o.cause !== undefined);
}

export type Observation = z.output<typeof observationSchema>;
export type ObservationInput = z.input<typeof observationSchema>;
export type ObservationKind = Observation['kind'];
export type IngestBatch = z.output<typeof ingestBatchSchema>;
export type IngestBatchInput = z.input<typeof ingestBatchSchema>;
export type CommandAck = z.output<typeof commandAck>;
