import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Remote write's self-metrics, named after Prometheus' `prometheus_remote_storage_*` in our namespace and
 * labelled by endpoint `url` (without credentials), so the same alerts carry over: samples that never
 * arrive (failed, dropped), a queue that keeps growing, and a last success that stops moving.
 */
export interface RemoteWriteMetrics {
  /** outcome: sent (accepted), failed (rejected with a 4xx other than 429: never retried), dropped (queue full or shut down). */
  readonly samples: Counter<'url' | 'outcome'>;
  readonly retried: Counter<'url'>;
  readonly pending: Gauge<'url'>;
  readonly capacity: Gauge<'url'>;
  readonly lastSuccess: Gauge<'url'>;
  readonly sentBytes: Counter<'url'>;
}

export function createRemoteWriteMetrics(registry: Registry): RemoteWriteMetrics {
  const registers = [registry];
  return {
    samples: new Counter({
      name: 'ide_remote_write_samples_total',
      help: 'Samples handed to remote write, by what became of them: sent, failed (rejected by the receiver with a 4xx other than 429) or dropped (queue full).',
      labelNames: ['url', 'outcome'],
      registers,
    }),
    retried: new Counter({
      name: 'ide_remote_write_samples_retried_total',
      help: 'Samples sent again after a 5xx, a 429 or a network error.',
      labelNames: ['url'],
      registers,
    }),
    pending: new Gauge({
      name: 'ide_remote_write_queue_samples',
      help: 'Samples waiting to be sent to the endpoint, the batch in flight included.',
      labelNames: ['url'],
      registers,
    }),
    capacity: new Gauge({
      name: 'ide_remote_write_queue_capacity_samples',
      help: 'Most samples the queue of the endpoint holds; beyond it the oldest are dropped.',
      labelNames: ['url'],
      registers,
    }),
    lastSuccess: new Gauge({
      name: 'ide_remote_write_last_success_timestamp_seconds',
      help: 'Unix time of the last batch the endpoint accepted; 0 until the first.',
      labelNames: ['url'],
      registers,
    }),
    sentBytes: new Counter({
      name: 'ide_remote_write_sent_bytes_total',
      help: 'Compressed request bytes sent to the endpoint, retries included.',
      labelNames: ['url'],
      registers,
    }),
  };
}

/**
 * Every series of one endpoint at zero, so a rate() or an absent() has a start; done once per URL, so a
 * reload that keeps an endpoint keeps its counters and its last success.
 */
export function initialiseEndpoint(metrics: RemoteWriteMetrics, url: string): void {
  metrics.lastSuccess.set({ url }, 0);
  for (const outcome of OUTCOMES) metrics.samples.inc({ url, outcome }, 0);
  metrics.retried.inc({ url }, 0);
  metrics.sentBytes.inc({ url }, 0);
}

/** An endpoint a reload removed: its series go, as Prometheus drops a removed queue's. */
export function forgetEndpoint(metrics: RemoteWriteMetrics, url: string): void {
  for (const outcome of OUTCOMES) metrics.samples.remove({ url, outcome });
  for (const metric of [metrics.retried, metrics.sentBytes]) metric.remove({ url });
  for (const metric of [metrics.pending, metrics.capacity, metrics.lastSuccess]) metric.remove({ url });
}

const OUTCOMES = ['sent', 'failed', 'dropped'] as const;
