import type { Logger } from 'pino';
import { gauge, sample, type MetricFamily } from './metric-family.js';
import { ProcReader, type HostPaths } from './procfs.js';

/** What a collector gets on each scrape. */
export interface ScrapeContext {
  /** Memoised reads of the host's /proc and /sys, fresh for this scrape. */
  readonly files: ProcReader;
  /** Aborted when the collector's timeout expires; long operations should stop early. */
  readonly signal: AbortSignal;
}

/**
 * One source of metrics, collected on scrape (node_exporter's `Collector.Update`). It returns the samples
 * that exist now; finding nothing is not a failure. Throwing marks only this collector as failed.
 */
export interface Collector {
  readonly name: string;
  collect(ctx: ScrapeContext): Promise<readonly MetricFamily[]>;
}

class CollectorTimeoutError extends Error {
  constructor(
    readonly collector: string,
    readonly timeoutMs: number,
  ) {
    super(`collector ${collector} did not finish within ${timeoutMs} ms`);
    this.name = 'CollectorTimeoutError';
  }
}

export interface ScrapeRunnerOptions {
  readonly timeoutMs: number;
  readonly paths: HostPaths;
  readonly logger: Logger;
}

/**
 * Runs the enabled collectors concurrently on every scrape, each under its own timeout, and reports each
 * one's duration and success. A failing or slow collector costs its own samples, never the scrape.
 */
export class ScrapeRunner {
  /** Collectors currently failing: we log on the transition only, not on every scrape. */
  private readonly failing = new Set<string>();

  private current: readonly Collector[];
  private options: ScrapeRunnerOptions;

  constructor(collectors: readonly Collector[], options: ScrapeRunnerOptions) {
    this.current = collectors;
    this.options = options;
  }

  get collectors(): readonly Collector[] {
    return this.current;
  }

  /**
   * A configuration reload: later scrapes use these collectors and options; a scrape under way finishes
   * with the ones it started with.
   */
  reconfigure(collectors: readonly Collector[], options: ScrapeRunnerOptions): void {
    this.current = collectors;
    this.options = options;
    for (const name of [...this.failing]) if (!collectors.some((c) => c.name === name)) this.failing.delete(name);
  }

  async scrape(): Promise<MetricFamily[]> {
    const files = new ProcReader(this.options.paths);
    const results = await Promise.all(this.current.map((c) => this.runOne(c, files)));
    const families: MetricFamily[] = [];
    for (const r of results) families.push(...r.families);
    families.push(
      gauge(
        'ide_exporter_collector_duration_seconds',
        'Time the collector took on this scrape, in seconds.',
        results.map((r) => sample(r.seconds, { collector: r.name })),
      ),
      gauge(
        'ide_exporter_collector_success',
        'Whether the collector succeeded on this scrape (1) or failed or timed out (0).',
        results.map((r) => sample(r.ok ? 1 : 0, { collector: r.name })),
      ),
    );
    return families;
  }

  private async runOne(collector: Collector, files: ProcReader): Promise<CollectorResult> {
    const { timeoutMs } = this.options;
    const started = process.hrtime.bigint();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new CollectorTimeoutError(collector.name, timeoutMs));
      }, timeoutMs);
    });
    try {
      const families = await Promise.race([collector.collect({ files, signal: controller.signal }), timeout]);
      this.recovered(collector.name);
      return { name: collector.name, ok: true, seconds: elapsedSeconds(started), families };
    } catch (error) {
      this.failed(collector.name, error);
      return { name: collector.name, ok: false, seconds: elapsedSeconds(started), families: [] };
    } finally {
      clearTimeout(timer);
    }
  }

  private failed(name: string, error: unknown): void {
    if (this.failing.has(name)) return;
    this.failing.add(name);
    this.options.logger.warn({ collector: name, err: error }, 'collector failed; its metrics are missing until it recovers');
  }

  private recovered(name: string): void {
    if (!this.failing.delete(name)) return;
    this.options.logger.info({ collector: name }, 'collector recovered');
  }
}

interface CollectorResult {
  readonly name: string;
  readonly ok: boolean;
  readonly seconds: number;
  readonly families: readonly MetricFamily[];
}

function elapsedSeconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
