import { describe, expect, it } from 'vitest';
import { histogramQuantile, parseLe } from '../../../src/status/quantile.js';

const INF = Number.POSITIVE_INFINITY;

describe('histogramQuantile (Prometheus semantics)', () => {
  const bounds = [0.1, 0.2, 0.5, 1, INF];

  it('interpolates linearly inside the bucket holding the rank', () => {
    // 100 observations: 50 ≤ 0.1, 30 in (0.1, 0.2], 20 in (0.2, 0.5].
    const cumulative = [50, 80, 100, 100, 100];
    // rank 95 lies 15/20 of the way through (0.2, 0.5].
    expect(histogramQuantile(0.95, bounds, cumulative)).toBeCloseTo(0.2 + 0.3 * (15 / 20), 12);
    // rank 50 is the top of the first bucket, interpolated from 0.
    expect(histogramQuantile(0.5, bounds, cumulative)).toBeCloseTo(0.1, 12);
    expect(histogramQuantile(0.25, bounds, cumulative)).toBeCloseTo(0.05, 12);
  });

  it('answers the highest finite bound when the rank falls in +Inf', () => {
    expect(histogramQuantile(0.95, bounds, [0, 0, 0, 10, 100])).toBe(1);
  });

  it('has no answer without observations or with malformed input', () => {
    expect(histogramQuantile(0.95, bounds, [0, 0, 0, 0, 0])).toBeNull();
    expect(histogramQuantile(0.95, [0.1, 0.2], [1, 2])).toBeNull(); // no +Inf bucket
    expect(histogramQuantile(0.95, bounds, [1, 2])).toBeNull();
    expect(histogramQuantile(1.5, bounds, [1, 1, 1, 1, 1])).toBeNull();
  });

  it('skips empty buckets to the first that reaches the rank', () => {
    expect(histogramQuantile(0.5, bounds, [0, 0, 4, 4, 4])).toBeCloseTo(0.2 + 0.3 * 0.5, 12);
  });

  it('parses le labels as prom-client and the text format write them', () => {
    expect(parseLe('+Inf')).toBe(INF);
    expect(parseLe('0.005')).toBe(0.005);
    expect(parseLe(String(2.5))).toBe(2.5);
    expect(parseLe('abc')).toBeUndefined();
    expect(parseLe('')).toBeUndefined();
  });
});
