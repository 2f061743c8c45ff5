import type { Registry } from 'prom-client';
import { CellCounter, CellHistogram } from './cells.js';
import { DURATION_BUCKETS } from './lsp-metrics.js';

/** The `ide_app_*` metrics: an IDE backend's own operations and caches, reported through the ingestion API. */
export class AppMetrics {
  readonly operationDuration: CellHistogram<'operation' | 'outcome'>;
  readonly cacheRequests: CellCounter<'cache' | 'result'>;

  constructor(registry: Registry) {
    this.operationDuration = new CellHistogram({
      name: 'ide_app_operation_duration_seconds',
      help: 'Duration of IDE backend operations by operation (bounded: allowlist or cap, the rest is "other") and outcome.',
      labelNames: ['operation', 'outcome'],
      buckets: DURATION_BUCKETS,
      registry,
    });
    this.cacheRequests = new CellCounter({
      name: 'ide_app_cache_requests_total',
      help: 'IDE backend cache lookups by cache (bounded: allowlist or cap, the rest is "other") and result.',
      labelNames: ['cache', 'result'],
      registry,
    });
  }
}
