/**
 * The package entry for Node-based IDE backends: the ingest reporter (the same client `ide-monitor
 * lsp-proxy` uses) and the wire types it sends.
 */
export { IngestReporter, type IngestReporterOptions, type ReporterLogger, type ReporterStats } from './lsp/reporter.js';
export type { Observation, ObservationInput, ObservationKind, IngestBatch, IngestBatchInput } from './ingest/schema.js';
export { INGEST_VERSION, MAX_OBSERVATIONS_PER_BATCH } from './ingest/schema.js';
