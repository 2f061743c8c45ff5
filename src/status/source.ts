import type { Collector } from '../exporter/collector.js';
import { ScrapeRunner, type ScrapeRunnerOptions } from '../exporter/collector.js';
import type { MetricFamily } from '../exporter/metric-family.js';
import { COLLECTORS } from '../exporter/collectors/index.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
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

/**
 * The collectors the page samples: the `/metrics` runner's, plus its own cpu, memory and filesystem
 * collectors for those `/metrics` leaves out (`--collector.disable-defaults` beside node_exporter): the
 * page shows this machine's host bars whoever exports the host metrics. Each is made with the options
 * of its section (a disabled section still has them), so the page's disk bar follows the same excludes.
 */
export function pageCollectors(running: readonly Collector[], config: Config['collectors'], logger: Logger): Collector[] {
  const have = new Set(running.map((c) => c.name));
  const missing = COLLECTORS.filter((d) => SAMPLED_COLLECTORS.has(d.name) && !have.has(d.name));
  return [...running, ...missing.map((d) => d.create(config, logger.child({ collector: d.name, for: 'status page' })))];
}
