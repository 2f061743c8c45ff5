import type { RunningProcess } from './process.mjs';

export interface RunningPrometheus {
  readonly url: string;
  readonly process: RunningProcess;
  /** Instant query; resolves to the result vector, rejects on a query error. */
  readonly query: (expr: string) => Promise<PromSample[]>;
  /** Waits until every scrape target has been scraped at least `scrapes` times and is up. */
  readonly waitForScrapes: (scrapes: number) => Promise<void>;
  readonly stop: () => Promise<void>;
  readonly output: () => string;
}

export interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

export interface PrometheusOptions {
  readonly binary: string;
  /** `host:port` targets scraped under job `jobName`. */
  readonly scrapeTargets: readonly string[];
  /** The scrape job's name (`ide-monitor` unless given; `node` for a node_exporter). */
  readonly jobName?: string;
  readonly ruleFiles?: readonly string[];
  readonly scrapeInterval?: string;
  readonly evaluationInterval?: string;
  /** `host:port` of Alertmanagers the rules' alerts are sent to. */
  readonly alertmanagers?: readonly string[];
  /** `--web.enable-remote-write-receiver`: accept pushes on `/api/v1/write`. */
  readonly remoteWriteReceiver?: boolean;
  /** A fixed port (to restart a receiver where its senders expect it); else a free one. */
  readonly port?: number;
}

/** A real Prometheus on 127.0.0.1 with a throw-away data directory. */
export function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus>;
