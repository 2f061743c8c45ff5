/**
 * `ide-monitor/client`: the ingest client for Node-based IDE backends (the same reporter `ide-monitor
 * lsp-proxy` uses) and the wire types it sends. It loads zod and Node's own modules only: no express,
 * better-sqlite3 or Grafana SDK, which belong to `serve` and `generate`.
 */
export { IngestReporter, type IngestReporterOptions, type ReporterLogger, type ReporterStats } from './lsp/reporter.js';
export type { Observation, ObservationInput, ObservationKind, IngestBatch, IngestBatchInput } from './ingest/schema.js';
export { INGEST_VERSION, MAX_OBSERVATIONS_PER_BATCH } from './ingest/schema.js';
