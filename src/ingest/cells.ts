import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * prom-client metrics whose samples live in plain cells, one per label tuple, looked up by a joined key.
 * prom-client's own `labels(…).inc()` hashes, sorts and validates the label object on every call — about
 * 0.9 µs per observation, the largest cost of the ingest hot path (bench/ingest.mjs). Here an observation
 * is a Map lookup and an addition; prom-client still owns the name, help and type checks and the
 * registry, and reads the cells when scraped (`get()`).
 *
 * Keys join the label values with U+0001, which no value contains: the label guards fold values with
 * control characters into `other`, and the other labels come from fixed sets.
 */

interface MetricSpec<T extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly T[];
  readonly registry: Registry;
}

export class CounterCell {
  value = 0;
  constructor(readonly labels: Readonly<Record<string, string>>) {}
  inc(by = 1): void {
    this.value += by;
  }
}

export class HistogramCell {
  sum = 0;
  count = 0;
  /** Non-cumulative counts per bucket, the last one for +Inf; made cumulative when scraped. */
  readonly counts: Float64Array;
  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i += 1;
    this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
  }
}

function keyOf(values: readonly string[]): string {
  return values.length === 1 ? values[0]! : values.join('\u0001');
}

function labelsOf<T extends string>(names: readonly T[], values: readonly string[]): Record<string, string> {
  if (values.length !== names.length) throw new Error(`expected ${names.length} label values (${names.join(', ')}), got ${values.length}`);
  const labels: Record<string, string> = {};
  names.forEach((n, i) => (labels[n] = values[i]!));
  return labels;
}

type Sample = { value: number; labels: Record<string, string | number>; metricName?: string };

export class CellCounter<T extends string> extends Counter<T> {
  private readonly cells = new Map<string, CounterCell>();

  constructor(private readonly spec: MetricSpec<T>) {
    super({ name: spec.name, help: spec.help, labelNames: spec.labelNames, registers: [spec.registry] });
  }

  /** The cell for these label values, in `labelNames` order. */
  cell(...values: string[]): CounterCell {
    const key = keyOf(values);
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = new CounterCell(labelsOf(this.spec.labelNames, values));
      this.cells.set(key, cell);
    }
    return cell;
  }

  /** Also called by prom-client's constructor, before this class' fields exist. */
  override reset(): void {
    super.reset();
    this.cells?.clear();
  }

  override async get(): Promise<Awaited<ReturnType<Counter<T>['get']>>> {
    const values: Sample[] = [];
    for (const cell of this.cells.values()) values.push({ value: cell.value, labels: { ...cell.labels } });
    const { name, help } = this.spec;
    return { name, help, type: 'counter', values, aggregator: 'sum' } as unknown as Awaited<ReturnType<Counter<T>['get']>>;
  }
}

export class CellHistogram<T extends string> extends Histogram<T> {
  private readonly cells = new Map<string, HistogramCell>();

  constructor(private readonly spec: MetricSpec<T> & { readonly buckets: readonly number[] }) {
    super({ name: spec.name, help: spec.help, labelNames: spec.labelNames, buckets: [...spec.buckets], registers: [spec.registry] });
  }

  cell(...values: string[]): HistogramCell {
    const key = keyOf(values);
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = new HistogramCell(labelsOf(this.spec.labelNames, values), this.spec.buckets);
      this.cells.set(key, cell);
    }
    return cell;
  }

  /** Also called by prom-client's constructor, before this class' fields exist. */
  override reset(): void {
    super.reset();
    this.cells?.clear();
  }

  /** prom-client's text rendering asks histograms through this method rather than `get()`. */
  async getForPromString(): Promise<Awaited<ReturnType<Histogram<T>['get']>>> {
    return this.get();
  }

  override async get(): Promise<Awaited<ReturnType<Histogram<T>['get']>>> {
    const { name, help, buckets } = this.spec;
    const values: Sample[] = [];
    for (const cell of this.cells.values()) {
      let cumulative = 0;
      buckets.forEach((bound, i) => {
        cumulative += cell.counts[i]!;
        values.push({ value: cumulative, labels: { ...cell.labels, le: String(bound) }, metricName: `${name}_bucket` });
      });
      values.push({ value: cell.count, labels: { ...cell.labels, le: '+Inf' }, metricName: `${name}_bucket` });
      values.push({ value: cell.sum, labels: { ...cell.labels }, metricName: `${name}_sum` });
      values.push({ value: cell.count, labels: { ...cell.labels }, metricName: `${name}_count` });
    }
    return { name, help, type: 'histogram', values, aggregator: 'sum' } as unknown as Awaited<ReturnType<Histogram<T>['get']>>;
  }
}
