import { Registry } from 'prom-client';
import type { MetricFamily } from '../exporter/metric-family.js';
import { registryFamilies } from '../exporter/instrumentation.js';
import type { Logger } from '../log.js';
import { RingBuffer } from './ring-buffer.js';
import { extractSample, REGISTRY_METRICS } from './sample.js';
import { makeEntry, type Entry } from './snapshot.js';

/** A `ScrapeRunner` over the `/metrics` collectors the page reads, typed structurally so tests can stand in. */
export interface ScrapeSource {
  scrape(): Promise<MetricFamily[]>;
}

export interface SamplerOptions {
  readonly source: ScrapeSource;
  readonly registry: Registry;
  readonly intervalMs: number;
  readonly historyMs: number;
  readonly logger: Logger;
  /** Called after each sample lands in the buffer (the stream pushes from here). */
  readonly onSample?: () => void;
  readonly now?: () => number;
}

/**
 * Every interval, takes the part of the `/metrics` picture the page needs — the same collector objects (only
 * those it reads) and the same prom-client registry, no collectors of its own — and keeps the few numbers
 * the page needs in one bounded ring buffer. A `/metrics` scrape younger than one interval is reused
 * instead of scraping again.
 */
export class Sampler {
  readonly ring: RingBuffer<Entry>;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private recent: { t: number; families: readonly MetricFamily[] } | undefined;
  private failing = false;
  private readonly now: () => number;
  private readonly view: RegistryView;

  constructor(private readonly options: SamplerOptions) {
    this.ring = new RingBuffer<Entry>(Math.max(2, Math.ceil(options.historyMs / options.intervalMs)));
    this.now = options.now ?? Date.now;
    this.view = new RegistryView(options.registry, REGISTRY_METRICS);
  }

  start(): void {
    if (this.timer !== undefined) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The `/metrics` scrape path hands over what it just rendered (the registry part included). */
  offer(families: readonly MetricFamily[]): void {
    this.recent = { t: this.now(), families };
  }

  /** One sample now; a tick that finds the previous one still running is skipped, not queued. */
  async tick(): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    try {
      const t = this.now();
      const families = await this.families(t);
      const last = this.ring.latest();
      // A clock stepped backwards must not break the buffer's order: skip until it catches up.
      if (last !== undefined && t < last.t) return false;
      this.ring.push(makeEntry(extractSample(t, families), this.ring));
      if (this.failing) this.options.logger.info('status page sampler recovered');
      this.failing = false;
      this.options.onSample?.();
      return true;
    } catch (error) {
      if (!this.failing) this.options.logger.warn({ err: error }, 'status page sampler failed; the page shows stale data until it recovers');
      this.failing = true;
      return false;
    } finally {
      this.busy = false;
    }
  }

  private async families(t: number): Promise<readonly MetricFamily[]> {
    const recent = this.recent;
    this.recent = undefined;
    if (recent !== undefined && t - recent.t < this.options.intervalMs) return recent.families;
    const families = await this.options.source.scrape();
    // Only the metrics the page shows are read from the registry: `registryFamilies` of the whole registry
    // would also make prom-client collect its default process/Node.js metrics every second for nothing.
    const view = this.view.get();
    return view === undefined ? families : [...families, ...(await registryFamilies(view))];
  }
}

/**
 * A registry holding just the named metrics (the same metric objects, registered twice), so
 * `registryFamilies` converts only those; looked up each time, since ingestion creates them on first use.
 */
class RegistryView {
  private view: Registry | undefined;
  private metrics: unknown[] = [];

  constructor(
    private readonly registry: Registry,
    private readonly names: readonly string[],
  ) {}

  get(): Registry | undefined {
    const metrics = this.names.map((name) => this.registry.getSingleMetric(name)).filter((m) => m !== undefined);
    if (metrics.length === 0) return undefined;
    if (this.view === undefined || metrics.length !== this.metrics.length || metrics.some((m, i) => m !== this.metrics[i])) {
      this.metrics = metrics;
      this.view = new Registry();
      for (const metric of metrics) this.view.registerMetric(metric);
    }
    return this.view;
  }
}
