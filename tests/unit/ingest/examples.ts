import type { IngestBatchInput, ObservationInput } from '../../../src/ingest/schema.js';

/** One valid observation of every kind, as a reporter writes them (defaults left out where allowed). */
type ByKind = { [K in ObservationInput['kind']]: Extract<ObservationInput, { kind: K }> };

export const EXAMPLES: ByKind = {
  lsp_request: { kind: 'lsp_request', server: 'tsserver', method: 'textDocument/hover', outcome: 'ok', duration_seconds: 0.004 },
  lsp_notification: { kind: 'lsp_notification', server: 'tsserver', method: 'textDocument/didChange', direction: 'client_to_server' },
  lsp_bytes: { kind: 'lsp_bytes', server: 'tsserver', direction: 'server_to_client', bytes: 2048 },
  lsp_server: { kind: 'lsp_server', server: 'tsserver', event: 'exit', code: 1 },
  lsp_state: {
    kind: 'lsp_state',
    server: 'tsserver',
    up: true,
    in_flight: { client_to_server: 2, server_to_client: 1 },
    diagnostics: { error: 3, warning: 5, information: 0, hint: 1 },
  },
  lsp_dropped: { kind: 'lsp_dropped', server: 'tsserver', count: 7 },
  lsp_restart: { kind: 'lsp_restart', server: 'tsserver', reason: 'command' },
  operation: { kind: 'operation', operation: 'ui_refresh', duration_seconds: 0.12 },
  cache: { kind: 'cache', cache: 'symbols', result: 'hit' },
};

/** Version 1 unless an observation needs version 2 (lsp_restart, breakers, an exit cause). */
export function batchOf(observations: ObservationInput[], instance?: string): IngestBatchInput {
  const version = observations.some(
    (o) => o.kind === 'lsp_restart' || (o.kind === 'lsp_state' && o.breakers !== undefined) || (o.kind === 'lsp_server' && o.cause !== undefined),
  )
    ? 2
    : 1;
  return instance === undefined ? { version, observations } : { version, instance, observations };
}
