import { describe, expect, it } from 'vitest';
import { negotiateFormat, render } from '../../../src/exporter/exposition.js';
import { counter, gauge, sample, type MetricFamily } from '../../../src/exporter/metric-family.js';

const families: MetricFamily[] = [
  counter('ide_test_bytes_total', 'Bytes seen.', [sample(1024, { device: 'eth0' }), sample(0.5, { device: 'we"ird\\dev\nice' })]),
  gauge('ide_test_up', 'Help with a "quote" and a \\ backslash.', [sample(1)]),
  gauge('ide_test_special', 'Special values.', [sample(NaN, { k: 'nan' }), sample(Infinity, { k: 'inf' }), sample(-Infinity, { k: 'ninf' })]),
  {
    name: 'ide_test_duration_seconds',
    help: 'A histogram.',
    type: 'histogram',
    samples: [
      { name: 'ide_test_duration_seconds_bucket', labels: { le: '0.1' }, value: 2 },
      { name: 'ide_test_duration_seconds_bucket', labels: { le: '+Inf' }, value: 3 },
      { name: 'ide_test_duration_seconds_sum', labels: {}, value: 0.7 },
      { name: 'ide_test_duration_seconds_count', labels: {}, value: 3 },
    ],
  },
];

describe('render', () => {
  it('writes the classic text format byte for byte', () => {
    expect(render(families, 'text')).toBe(
      [
        '# HELP ide_test_bytes_total Bytes seen.',
        '# TYPE ide_test_bytes_total counter',
        'ide_test_bytes_total{device="eth0"} 1024',
        'ide_test_bytes_total{device="we\\"ird\\\\dev\\nice"} 0.5',
        '# HELP ide_test_up Help with a "quote" and a \\\\ backslash.',
        '# TYPE ide_test_up gauge',
        'ide_test_up 1',
        '# HELP ide_test_special Special values.',
        '# TYPE ide_test_special gauge',
        'ide_test_special{k="nan"} NaN',
        'ide_test_special{k="inf"} +Inf',
        'ide_test_special{k="ninf"} -Inf',
        '# HELP ide_test_duration_seconds A histogram.',
        '# TYPE ide_test_duration_seconds histogram',
        'ide_test_duration_seconds_bucket{le="0.1"} 2',
        'ide_test_duration_seconds_bucket{le="+Inf"} 3',
        'ide_test_duration_seconds_sum 0.7',
        'ide_test_duration_seconds_count 3',
        '',
      ].join('\n'),
    );
  });

  it('writes OpenMetrics: counter families without _total, escaped help quotes, and # EOF', () => {
    const text = render(families, 'openmetrics');
    expect(text).toContain('# HELP ide_test_bytes Bytes seen.\n# TYPE ide_test_bytes counter\nide_test_bytes_total{device="eth0"} 1024\n');
    expect(text).toContain('# HELP ide_test_up Help with a \\"quote\\" and a \\\\ backslash.');
    expect(text).toContain('# TYPE ide_test_duration_seconds histogram\nide_test_duration_seconds_bucket{le="0.1"} 2');
    expect(text.endsWith('ide_test_duration_seconds_count 3\n# EOF\n')).toBe(true);
  });

  it('writes only the families given: an empty scrape is just the EOF marker', () => {
    expect(render([], 'text')).toBe('');
    expect(render([], 'openmetrics')).toBe('# EOF\n');
  });
});

describe('negotiateFormat', () => {
  it.each([
    [undefined, 'text'],
    ['text/plain', 'text'],
    ['*/*', 'text'],
    ['application/openmetrics-text; version=1.0.0', 'openmetrics'],
    // What Prometheus 2.42 sends by default.
    ['application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', 'openmetrics'],
    ['text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0', 'text'],
  ] as const)('Accept %s → %s', (accept, expected) => {
    expect(negotiateFormat(accept)).toBe(expected);
  });
});
