/**
 * The ingest wire format's version and bounds, without zod: the LSP proxy's startup path (reporter,
 * traffic monitor, fast validation) needs these and nothing of the schema library, whose import alone
 * costs about 150 ms (bench: "LSP proxy startup"). schema.ts re-exports them.
 */
export const INGEST_VERSION = 1;
/**
 * Version 2 adds what the LSP proxy's control channel needs: `acks` (commands executed), the
 * `lsp_restart` kind, `lsp_state.breakers` and `lsp_server.cause`. A reporter that sends version 2 says
 * it executes commands, so the exporter answers it with its pending ones (see control.ts). Version 1
 * batches are accepted as before; version 2 fields in a version 1 batch are refused.
 */
export const INGEST_VERSION_CONTROL = 2;
export const MAX_ACKS_PER_BATCH = 100;
export const MAX_BREAKERS = 50;
export const COMMAND_ID_MAX_LENGTH = 64;
/** Where batches are posted: the exporter's route and the reporter's target. */
export const INGEST_PATH = '/api/v1/ingest';
export const MAX_OBSERVATIONS_PER_BATCH = 10_000;

/** Bounds shared with the hand-written fast path (fast-validate.ts), which must accept exactly what zod accepts. */
export const NAME_MAX_LENGTH = 200;
export const MAX_SECONDS = 86_400;
export const MAX_COUNT = 1e12;
export const EXIT_CODE_MAX_LENGTH = 20;
