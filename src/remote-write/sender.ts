import * as snappy from 'snappyjs';
import type { Logger } from '../log.js';
import type { RemoteWriteClient, SendOutcome } from './client.js';
import type { RemoteWriteMetrics } from './metrics.js';
import { encodeWriteRequest, type PromTimeSeries } from './prompb.js';
import { SampleQueue } from './queue.js';

export interface SenderOptions {
  readonly label: string;
  readonly capacity: number;
  readonly maxSamplesPerSend: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
}

/**
 * Sends one endpoint's queue, one batch at a time and oldest first, so every series stays in time order
 * at the receiver. A batch that fails with a 5xx, a 429 or a network error is sent again after an
 * exponential backoff (a Retry-After is a floor); a batch rejected with any other 4xx is dropped and
 * counted as failed. Enqueueing never waits for the network: a full queue drops its oldest samples.
 */
export class RemoteWriteSender {
  private readonly queue: SampleQueue;
  private inFlight = 0;
  /** Ends the wait for samples when the queue was empty. */
  private wake: (() => void) | undefined;
  /** Ends a backoff early; only stop() uses it, new samples do not shorten a backoff. */
  private cancelSleep: (() => void) | undefined;
  private stopped = false;
  private readonly aborter = new AbortController();
  private loop: Promise<void> | undefined;
  /** The last failure reason logged, so an outage logs once when it starts and once when it ends. */
  private failing: string | undefined;

  constructor(
    private readonly client: RemoteWriteClient,
    private readonly options: SenderOptions,
    private readonly metrics: RemoteWriteMetrics,
    private readonly logger: Logger,
  ) {
    this.queue = new SampleQueue(options.capacity);
    metrics.capacity.set({ url: options.label }, options.capacity);
    this.updatePending();
  }

  start(): void {
    this.loop ??= this.run();
  }

  enqueue(series: readonly PromTimeSeries[]): void {
    if (this.stopped) return;
    const dropped = this.queue.push(series);
    if (dropped > 0) this.metrics.samples.inc({ url: this.options.label, outcome: 'dropped' }, dropped);
    this.updatePending();
    this.wake?.();
  }

  /** Pending samples (queued and in flight). */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /**
   * Stops sending: the batch in flight gets until `graceMs` to finish, then is abandoned; samples still
   * queued are counted as dropped (the queue is in memory only).
   */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.cancelSleep?.();
    const timer = setTimeout(() => this.aborter.abort(), graceMs);
    await this.loop;
    clearTimeout(timer);
    const left = this.pending;
    if (left > 0) this.metrics.samples.inc({ url: this.options.label, outcome: 'dropped' }, left);
    this.client.close();
  }

  private async run(): Promise<void> {
    let backoffMs = this.options.minBackoffMs;
    while (!this.stopped) {
      if (this.queue.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      const batch = this.queue.take(this.options.maxSamplesPerSend);
      this.inFlight = batch.length;
      const body = snappy.compress(encodeWriteRequest(batch));
      for (;;) {
        const outcome = await this.client.send(body, this.aborter.signal);
        this.metrics.sentBytes.inc({ url: this.options.label }, body.byteLength);
        if (outcome.kind !== 'retry') {
          this.settled(outcome, batch.length);
          backoffMs = this.options.minBackoffMs;
          break;
        }
        if (this.stopped) break;
        this.retrying(outcome.reason, batch.length);
        await this.sleep(Math.max(backoffMs, outcome.retryAfterMs ?? 0));
        backoffMs = Math.min(this.options.maxBackoffMs, backoffMs * 2);
        if (this.stopped) break;
      }
      this.inFlight = 0;
      this.updatePending();
    }
  }

  private settled(outcome: Exclude<SendOutcome, { kind: 'retry' }>, samples: number): void {
    const url = this.options.label;
    if (outcome.kind === 'sent') {
      this.metrics.samples.inc({ url, outcome: 'sent' }, samples);
      this.metrics.lastSuccess.set({ url }, Date.now() / 1000);
      if (this.failing !== undefined) this.logger.info({ url }, 'remote write recovered; sending the queued samples');
      this.failing = undefined;
      return;
    }
    this.metrics.samples.inc({ url, outcome: 'failed' }, samples);
    this.logger.warn({ url, samples, reason: outcome.reason }, 'remote write endpoint rejected a batch; it is dropped, not retried');
  }

  private retrying(reason: string, samples: number): void {
    this.metrics.retried.inc({ url: this.options.label }, samples);
    if (this.failing === undefined) {
      this.logger.warn(
        { url: this.options.label, reason, queued: this.pending },
        'remote write failed; retrying with backoff (the oldest samples are dropped if the queue fills)',
      );
    }
    this.failing = reason;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.cancelSleep = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.cancelSleep = done;
    });
  }

  private updatePending(): void {
    this.metrics.pending.set({ url: this.options.label }, this.pending);
  }
}
