import type { Registry } from 'prom-client';
import { CellCounter } from './cells.js';

const BATCH_OUTCOMES = ['accepted', 'invalid', 'unauthorized', 'too_large'] as const;
export type BatchOutcome = (typeof BATCH_OUTCOMES)[number];

export const OBSERVATION_KINDS = [
  'lsp_request',
  'lsp_notification',
  'lsp_bytes',
  'lsp_server',
  'lsp_state',
  'lsp_dropped',
  'lsp_restart',
  'operation',
  'cache',
] as const;

/** The ingestion API watching itself: what it was sent, what it refused, what it had to fold. */
export class IngestSelfMetrics {
  private readonly batches: CellCounter<'outcome'>;
  private readonly observations: CellCounter<'kind'>;
  private readonly overflow: CellCounter<'metric'>;

  constructor(registry: Registry) {
    this.batches = new CellCounter({
      name: 'ide_ingest_batches_total',
      help: 'Batches posted to /api/v1/ingest by outcome (a 403 for a non-loopback caller without a configured token counts as unauthorized).',
      labelNames: ['outcome'],
      registry,
    });
    this.observations = new CellCounter({
      name: 'ide_ingest_observations_total',
      help: 'Observations accepted through /api/v1/ingest by kind.',
      labelNames: ['kind'],
      registry,
    });
    this.overflow = new CellCounter({
      name: 'ide_ingest_label_overflow_total',
      help: 'Observations whose label value was folded into "other" (cardinality cap, allowlist, or an LSP method outside the specification), by the metric they fed.',
      labelNames: ['metric'],
      registry,
    });
    // Present from the start at 0, so rate() and alerts see a series before the first event.
    for (const outcome of BATCH_OUTCOMES) this.batches.cell(outcome);
    for (const kind of OBSERVATION_KINDS) this.observations.cell(kind);
  }

  batch(outcome: BatchOutcome): void {
    this.batches.cell(outcome).inc();
  }

  /** `kind` is one of OBSERVATION_KINDS (the schema admits no other). */
  observed(kind: string, count: number): void {
    if (count > 0) this.observations.cell(kind).inc(count);
  }

  overflowed(metric: string): void {
    this.overflow.cell(metric).inc();
  }
}
