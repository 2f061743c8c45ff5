import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.js';
import { decideRetry, type RetryPolicy } from './backoff.js';
import type { DeliveryResult } from './channels/notifier.js';
import type { BridgeMetrics } from './metrics.js';
import type { BridgeStore, OutboxItem } from './store/types.js';

/** How one outbox channel is worked: its deliverer, its parallelism and its pace. */
export interface ChannelHandler {
  /** A channel name, or `action`. */
  readonly channel: string;
  /** Deliveries in flight at once (different order keys only; one order key is always sequential). */
  readonly concurrency: number;
  /** Minimum time between the starts of two deliveries (Slack: about one message per second). */
  readonly minIntervalMs: number;
  /**
   * One attempt, whatever the result: the delivery is finished as `done` and never retried (actions).
   * Otherwise the retry policy applies.
   */
  readonly oneShot: boolean;
  deliver(item: OutboxItem): Promise<DeliveryResult>;
}

export interface DispatcherOptions {
  readonly store: BridgeStore;
  readonly policy: RetryPolicy;
  /** How long a claim holds: longer than any delivery takes, so only a dead replica's claims expire. */
  readonly leaseMs: number;
  readonly metrics: BridgeMetrics;
  readonly logger: Logger;
}

/** Longest sleep without a reason to wake: a safety net, since enqueues and due retries wake workers anyway. */
const IDLE_POLL_MS = 30_000;
const STORE_ERROR_BACKOFF_MS = 1000;

/**
 * Works the outbox: one worker per channel claims ready deliveries (oldest first, in order per order
 * key), runs them, and records the result. All retry policy lives here.
 */
export class Dispatcher {
  private readonly workers = new Map<string, ChannelWorker>();

  constructor(
    handlers: readonly ChannelHandler[],
    private readonly options: DispatcherOptions,
  ) {
    for (const handler of handlers) this.workers.set(handler.channel, new ChannelWorker(handler, options));
  }

  start(): void {
    for (const worker of this.workers.values()) worker.wake();
  }

  /**
   * A configuration reload: a channel that appears gets a worker, one that stays works on with its new
   * handler from its next claim, one that went away stops claiming (its pending deliveries stay in the
   * outbox, delivered if the channel comes back, pruned with the rest otherwise). Resolves when the
   * deliveries the old handlers had in flight have ended, so their endpoints can then be closed.
   */
  async replaceHandlers(handlers: readonly ChannelHandler[]): Promise<void> {
    const settling: Array<Promise<void>> = [];
    const next = new Map(handlers.map((h) => [h.channel, h]));
    for (const [channel, worker] of this.workers) {
      const handler = next.get(channel);
      if (handler === undefined) {
        settling.push(worker.stop());
        this.workers.delete(channel);
      } else settling.push(worker.replaceHandler(handler));
    }
    for (const handler of handlers) {
      if (this.workers.has(handler.channel)) continue;
      const worker = new ChannelWorker(handler, this.options);
      this.workers.set(handler.channel, worker);
      worker.wake();
    }
    await Promise.all(settling);
  }

  /** New deliveries were enqueued for these channels. */
  wake(channels: Iterable<string>): void {
    for (const channel of channels) this.workers.get(channel)?.wake();
  }

  inFlight(): number {
    let total = 0;
    for (const worker of this.workers.values()) total += worker.inFlightCount();
    return total;
  }

  /** Stops claiming and waits up to `graceMs` for deliveries in flight; the rest are reclaimed at the next start. */
  async stop(graceMs: number): Promise<boolean> {
    const drained = [...this.workers.values()].map((w) => w.stop());
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
    const finished = await Promise.race([Promise.all(drained).then(() => true), timeout]);
    clearTimeout(timer);
    return finished;
  }
}

class ChannelWorker {
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private scheduled = false;
  private pumping = false;
  /** A wake arrived while a pump was awaiting the store: pump once more so it is not lost. */
  private pumpAgain = false;
  private stopped = false;
  private lastStart = -Infinity;
  /** Set by a Retry-After: the endpoint asked the whole channel to wait (rate limits are per key or webhook). */
  private pausedUntil = 0;

  constructor(
    private handler: ChannelHandler,
    private readonly options: DispatcherOptions,
  ) {}

  inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Claims from now on go to `handler`; resolves when the deliveries started with the old one have ended. */
  async replaceHandler(handler: ChannelHandler): Promise<void> {
    const started = [...this.inFlight];
    this.handler = handler;
    this.wake();
    await Promise.all(started);
  }

  wake(): void {
    if (this.stopped || this.scheduled) return;
    this.scheduled = true;
    // Coalesces a burst of wakes (one webhook request enqueues many) into one claim.
    setImmediate(() => {
      this.scheduled = false;
      void this.pump();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    await Promise.all([...this.inFlight]);
  }

  /** One pump at a time: claims are awaited, and a wake during one is picked up by its loop or its end. */
  private async pump(): Promise<void> {
    if (this.stopped) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        await this.pumpOnce();
      } while (this.pumpAgain && !this.stopped);
    } finally {
      this.pumping = false;
    }
  }

  private async pumpOnce(): Promise<void> {
    const { store, logger, leaseMs } = this.options;
    const { handler } = this;
    while (!this.stopped && this.inFlight.size < handler.concurrency) {
      const now = Date.now();
      const notBefore = Math.max(this.pausedUntil, this.lastStart + handler.minIntervalMs);
      if (notBefore > now) return this.sleepUntil(notBefore);
      let items: OutboxItem[];
      try {
        const room = handler.minIntervalMs > 0 ? 1 : handler.concurrency - this.inFlight.size;
        items = await store.claim(handler.channel, room, leaseMs);
      } catch (error) {
        logger.error({ channel: handler.channel, err: error }, 'cannot claim from the outbox; retrying');
        return this.sleepUntil(now + STORE_ERROR_BACKOFF_MS);
      }
      if (items.length === 0) {
        let due: number | undefined;
        try {
          due = await store.nextDue(handler.channel);
        } catch {
          due = now + STORE_ERROR_BACKOFF_MS;
        }
        // A due item that was not claimable waits behind an in-flight one of its order key (its end wakes
        // us) or, with replicas, one claimed by another replica: poll for that at the idle pace.
        return this.sleepUntil(Math.min(due !== undefined && due > now ? due : now + IDLE_POLL_MS, now + IDLE_POLL_MS));
      }
      for (const item of items) {
        this.lastStart = Date.now();
        const run: Promise<void> = this.run(item).finally(() => {
          this.inFlight.delete(run);
          this.wake();
        });
        this.inFlight.add(run);
      }
    }
  }

  private sleepUntil(at: number): void {
    if (this.timer !== undefined && this.timerAt <= at) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        void this.pump();
      },
      Math.max(0, at - Date.now()),
    );
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private async run(item: OutboxItem): Promise<void> {
    const { metrics } = this.options;
    const { channel } = this.handler;
    const started = performance.now();
    let result: DeliveryResult;
    try {
      result = await this.handler.deliver(item);
    } catch (error) {
      // Deliverers do not throw; if one does, treat it as a transient failure rather than lose the item.
      result = { outcome: 'retry', reason: `internal error: ${(error as Error).message}` };
    }
    if (channel !== 'action') metrics.notificationDuration.observe({ channel }, (performance.now() - started) / 1000);
    await this.recordPersistently(item, result);
  }

  /**
   * A result the store refuses (disk full, I/O error) is kept and recorded again every second: an item
   * left claimed would hold back every later delivery of its order key (a group's resolve behind its
   * firing) until the next start. On stop it stays claimed and is reclaimed then: at-least-once.
   */
  private async recordPersistently(item: OutboxItem, result: DeliveryResult): Promise<void> {
    const { logger } = this.options;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.record(item, result);
        if (attempt > 1) logger.info({ channel: this.handler.channel, id: item.id, attempts: attempt }, 'delivery result recorded after the outbox recovered');
        return;
      } catch (error) {
        if (attempt === 1)
          logger.error({ channel: this.handler.channel, id: item.id, err: error }, 'cannot record a delivery result in the outbox; trying again every second');
        if (this.stopped) return;
        await sleep(STORE_ERROR_BACKOFF_MS);
        if (this.stopped) return;
      }
    }
  }

  private async record(item: OutboxItem, result: DeliveryResult): Promise<void> {
    const { store, metrics, logger, policy } = this.options;
    const { channel } = this.handler;
    if (this.handler.oneShot) {
      await store.markFinished(item.id, 'done', result.outcome === 'delivered' ? undefined : result.reason);
      return;
    }
    if (result.outcome === 'delivered') {
      await store.markDelivered(item.id);
      metrics.notifications.inc({ channel, outcome: 'delivered' });
      logger.debug({ channel, id: item.id, attempts: item.attempts + 1 }, 'notification delivered');
      return;
    }
    const attempts = item.attempts + 1;
    if (result.outcome === 'retry') {
      if (result.retryAfterMs !== undefined) this.pausedUntil = Date.now() + result.retryAfterMs;
      const decision = decideRetry(policy, attempts, Date.now() - item.createdAt, result.retryAfterMs);
      if (decision.retry) {
        await store.scheduleRetry(item.id, decision.delayMs, result.reason);
        metrics.notifications.inc({ channel, outcome: 'retried' });
        logger.warn({ channel, id: item.id, attempts, retry_in_ms: decision.delayMs, reason: result.reason }, 'notification failed; will retry');
        return;
      }
      await this.deadLetter(item, attempts, `${decision.reason}; last error: ${result.reason}`, 'dead_lettered');
      return;
    }
    await this.deadLetter(item, attempts, `rejected: ${result.reason}`, 'failed');
  }

  private async deadLetter(item: OutboxItem, attempts: number, reason: string, outcome: 'failed' | 'dead_lettered'): Promise<void> {
    const { store, metrics, logger } = this.options;
    const { channel } = this.handler;
    await store.markFinished(item.id, 'dead', reason);
    await store.audit('dead_letter', undefined, { channel, delivery: item.id, key: item.dedupKey, attempts, reason });
    metrics.notifications.inc({ channel, outcome });
    logger.error({ channel, id: item.id, attempts, reason }, 'notification dead-lettered');
  }
}
