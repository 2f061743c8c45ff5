import type { Collector } from '../exporter/collector.js';
import { ScrapeRunner, type ScrapeRunnerOptions } from '../exporter/collector.js';
import type { MetricFamily } from '../exporter/metric-family.js';
import { PROCESS_COLLECTOR, SAMPLED_COLLECTORS } from './sample.js';
import type { ScrapeSource } from './sampler.js';

/** The process-group scan reads every process's /proc entries: every 10 s is plenty for a status page. */
const PROCESS_SAMPLE_MS = 10_000;

/**
 * What the page samples of the `/metrics` collectors: the host collectors it reads every tick, and the
 * process-group collector at most every PROCESS_SAMPLE_MS (its last result is reused in between).
 */
export class StatusSource implements ScrapeSource {
  private readonly fast: ScrapeRunner;
  private readonly slow: ScrapeRunner;
  private processes: { at: number; families: MetricFamily[] } | undefined;

  constructor(
    collectors: readonly Collector[],
    options: ScrapeRunnerOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.fast = new ScrapeRunner(fastOf(collectors), options);
    this.slow = new ScrapeRunner(slowOf(collectors), options);
  }

  reconfigure(collectors: readonly Collector[], options: ScrapeRunnerOptions): void {
    this.fast.reconfigure(fastOf(collectors), options);
    this.slow.reconfigure(slowOf(collectors), options);
    this.processes = undefined;
  }

  async scrape(): Promise<MetricFamily[]> {
    const families = await this.fast.scrape();
    if (this.slow.collectors.length === 0) return families;
    const t = this.now();
    if (this.processes === undefined || t - this.processes.at >= PROCESS_SAMPLE_MS) {
      // Only the group families: the runner's own duration/success families would shadow the fast ones.
      const fresh = (await this.slow.scrape()).filter((f) => f.name.startsWith('ide_process_'));
      this.processes = { at: t, families: fresh };
    }
    return [...families, ...this.processes.families];
  }
}

const fastOf = (collectors: readonly Collector[]) => collectors.filter((c) => SAMPLED_COLLECTORS.has(c.name));
const slowOf = (collectors: readonly Collector[]) => collectors.filter((c) => c.name === PROCESS_COLLECTOR);
