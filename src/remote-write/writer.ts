import type { Registry } from 'prom-client';
import type { BuildInfo } from '../build-info.js';
import type { ScrapeRunner } from '../exporter/collector.js';
import { gatherFamilies } from '../exporter/gather.js';
import type { Logger } from '../log.js';
import { RemoteWriteClient, type RemoteEndpoint } from './client.js';
import type { RemoteWriteMetrics } from './metrics.js';
import { RemoteWriteSender } from './sender.js';
import { familiesToSeries } from './series.js';
import type { RemoteWriteEndpointConfig } from '../config/sections/remote-write.js';

/** Time the batch in flight gets to finish when `serve` stops; what is still queued then is dropped (counted). */
const STOP_GRACE_MS = 2000;

export interface RemoteWriteOptions {
  readonly endpoints: readonly { readonly endpoint: RemoteEndpoint; readonly config: RemoteWriteEndpointConfig }[];
  readonly intervalMs: number;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly runner: ScrapeRunner;
  readonly registry: Registry;
  readonly build: BuildInfo;
  readonly logger: Logger;
  readonly metrics: RemoteWriteMetrics;
}

/**
 * Remote write for machines Prometheus cannot scrape (laptops and CI runners behind NAT): every interval
 * it gathers what `/metrics` exposes, once, and hands the samples to one queue per endpoint. The gather
 * runs on its own timer and only appends to in-memory queues, so a slow or dead receiver never delays a
 * scrape; a gather still running when the next is due is skipped rather than stacked.
 */
export class RemoteWriter {
  private readonly senders: RemoteWriteSender[];
  private timer: NodeJS.Timeout | undefined;
  private gathering = false;

  constructor(private readonly options: RemoteWriteOptions) {
    const userAgent = `ide-monitor/${options.build.version}`;
    this.senders = options.endpoints.map(({ endpoint, config }) => {
      const q = config.queue_config;
      return new RemoteWriteSender(
        new RemoteWriteClient(endpoint, userAgent),
        { label: endpoint.label, capacity: q.capacity, maxSamplesPerSend: q.max_samples_per_send, minBackoffMs: q.min_backoff, maxBackoffMs: q.max_backoff },
        options.metrics,
        options.logger.child({ component: 'remote_write' }),
      );
    });
  }

  start(): void {
    for (const sender of this.senders) sender.start();
    this.options.logger.info(
      { urls: this.options.endpoints.map((e) => e.endpoint.label).join(','), interval_ms: this.options.intervalMs },
      'remote write enabled',
    );
    // The first gather at once, so a new machine shows up centrally without waiting an interval.
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.senders.map((s) => s.stop(STOP_GRACE_MS)));
  }

  /** One gather, queued for every endpoint. Exposed for tests that need a gather now. */
  async tick(): Promise<void> {
    if (this.gathering) return;
    this.gathering = true;
    try {
      const families = await gatherFamilies(this.options.runner, this.options.registry);
      const series = familiesToSeries(families, Date.now(), this.options.externalLabels);
      for (const sender of this.senders) sender.enqueue(series);
    } catch (error) {
      this.options.logger.error({ err: error }, 'remote write: gathering the samples failed; this interval is skipped');
    } finally {
      this.gathering = false;
    }
  }
}
