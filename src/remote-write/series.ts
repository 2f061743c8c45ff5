import type { MetricFamily } from '../exporter/metric-family.js';
import type { PromLabel, PromTimeSeries } from './prompb.js';
import { byCodeUnit } from '../compare-text.js';

/**
 * One gather of `/metrics` as remote-write series: each sample becomes a series named as the classic
 * text exposition names it (counters keep `_total`, histograms `_bucket`/`_sum`/`_count`), stamped with
 * the gather time, with the external labels added (a sample's own label of the same name wins, as
 * Prometheus does for external labels). Labels are sorted by name, as the protocol requires.
 */
export function familiesToSeries(families: readonly MetricFamily[], timestampMs: number, externalLabels: Readonly<Record<string, string>>): PromTimeSeries[] {
  const external = Object.entries(externalLabels);
  const series: PromTimeSeries[] = [];
  for (const family of families) {
    for (const s of family.samples) {
      const labels: PromLabel[] = [{ name: '__name__', value: s.name ?? family.name }];
      for (const name in s.labels) {
        const value = s.labels[name];
        // An empty label is the same as no label in Prometheus; sending one is an error on some receivers.
        if (value !== undefined && value !== '') labels.push({ name, value });
      }
      for (const [name, value] of external) if (!(name in s.labels)) labels.push({ name, value });
      labels.sort((a, b) => byCodeUnit(a.name, b.name));
      series.push({ labels, samples: [{ value: s.value, timestamp: timestampMs }] });
    }
  }
  return series;
}
