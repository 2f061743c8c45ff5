/**
 * A scrape's fresh picture of one metric: what a collector emits, the way node_exporter's collectors
 * emit const metrics. Nothing here outlives the scrape, so a vanished filesystem or device leaves no
 * stale series behind.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly labels: Labels;
  readonly value: number;
  /** Set for the parts of a histogram or summary (`x_bucket`, `x_sum`, `x_count`); else the family name. */
  readonly name?: string;
}

export interface MetricFamily {
  /** Full metric name; counters end in `_total`. */
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly Sample[];
}

const NO_LABELS: Labels = Object.freeze({});

export function gauge(name: string, help: string, samples: readonly Sample[]): MetricFamily {
  return { name, help, type: 'gauge', samples };
}

export function counter(name: string, help: string, samples: readonly Sample[]): MetricFamily {
  return { name, help, type: 'counter', samples };
}

export function sample(value: number, labels: Labels = NO_LABELS): Sample {
  return { labels, value };
}
