import type { HostMetricsMode } from '../config.js';
import { hostMetricNames } from '../host-metrics.js';
import { num } from '../promql.js';
import { constant, fires, hostTarget, line, quiet, series, type Scenario, type TestFile } from './model.js';

const HOVER = { server: 'tsserver', method: 'textDocument/hover' };
const DAY = 1440;
const WEEK = 7 * DAY;

/**
 * One request a second to textDocument/hover: for `before` minutes every observation falls in the lowest
 * bucket (0, `from`], then for `after` minutes in the bucket (`to[0]`, `to[1]`]. Only the buckets that
 * matter are written; histogram_quantile interpolates within the bucket (p95 of (a, b] = a + 0.95·(b − a)).
 */
function shift(before: number, after: number, from: number, to: readonly [number, number]): [string, string][] {
  const bucket = (le: string) => series('ide_lsp_request_duration_seconds_bucket', { ...HOVER, outcome: 'ok', le });
  const total = `0+60x${before + after}`;
  const frozen = `0+60x${before} ${num(60 * before)}x${after - 1}`;
  return [
    [bucket(num(from)), frozen],
    ...(to[0] === from ? [] : [[bucket(num(to[0])), frozen] as [string, string]]),
    [bucket(num(to[1])), total],
    [bucket('+Inf'), total],
    [series('ide_lsp_request_duration_seconds_count', { ...HOVER, outcome: 'ok' }), total],
  ];
}

const at = (minutes: number) => `${minutes}m`;

/** 10 GB of memory; available memory as a piecewise series (promtool's expanding notation), from the host exporter. */
function memoryOf(mode: HostMetricsMode) {
  const h = hostMetricNames(mode);
  const target = hostTarget(mode);
  return {
    memory: (available: string): [string, string][] => [
      [series(h.memoryTotal, {}, target), constant(1e10, 200)],
      [series(h.memoryAvailable, {}, target), available],
    ],
    exhaustion: (shown: string) =>
      fires(
        'high',
        {},
        `${shown} of the memory of ${target.instance} is in use and, at the rate of the last 1h and of the last 15m, available memory will run out within 4h.`,
        target,
      ),
  };
}

const anomaly = (to: readonly [number, number]): Scenario['series'] => shift(DAY, 60, 0.01, to);

/** The memory scenarios read host series (`hostMetrics`); the LSP ones are the same in both modes. */
export function predictiveTests(mode: HostMetricsMode = 'ide-monitor'): TestFile {
  const { memory, exhaustion } = memoryOf(mode);
  return {
    file: 'predictive',
    ruleFiles: ['host', 'lsp', 'predictive'],
    // promtool evaluates every rule at every step: days of history every minute would take it tens of seconds.
    evaluationInterval: '5m',
    scenarios: [
      {
        // 4 GB available for an hour, then losing 20 MB a minute: 4.8 GB in the next 4 hours.
        name: 'Memory running out within four hours',
        series: memory(`${constant(4e9, 60)} ${line(3.98e9, -2e7, 80)}`),
        alerts: [...quiet('IdeHostMemoryExhaustionPredicted', '70m'), { at: '125m', alert: 'IdeHostMemoryExhaustionPredicted', expect: [exhaustion('73%')] }],
      },
      {
        // Defect: with half an hour of data the fit extrapolates whatever it has; a fresh Prometheus knows no trend.
        name: 'Memory falling fast, but only 40 minutes of history',
        series: memory(line(4e9, -2e7, 60)),
        alerts: quiet('IdeHostMemoryExhaustionPredicted', '40m', '55m'),
      },
      {
        // Defect: 30 minutes of falling memory, then flat. The 1h fit still pointed below 0 for most of the
        // next hour and the alert fired on flat memory; the 15m trend is flat, so it must stay quiet.
        name: 'Memory that fell for 30 minutes and stopped is not running out',
        series: memory(`${constant(4e9, 60)} ${line(3.95e9, -5e7, 29)} ${constant(2.5e9, 90)}`),
        alerts: quiet('IdeHostMemoryExhaustionPredicted', '110m', '130m', '150m'),
      },
      {
        name: 'Memory shrinking too slowly to run out within four hours',
        series: memory(`${constant(4e9, 60)} ${line(3.99e9, -1e7, 80)}`),
        alerts: quiet('IdeHostMemoryExhaustionPredicted', '110m'),
      },
      {
        // A day at about 10 ms, then 487.5 ms: far beyond mean + 3σ of the day.
        name: 'Hover p95 jumping far above its 1-day baseline',
        series: anomaly([0.25, 0.5]),
        alerts: [
          ...quiet('IdeLspLatencyAnomaly', at(DAY + 10)),
          {
            at: at(DAY + 35),
            alert: 'IdeLspLatencyAnomaly',
            expect: [
              fires(
                'low',
                HOVER,
                'The p95 latency of textDocument/hover on tsserver (dev:10451) has been 487.5ms, more than 3 standard deviations above its 1-day average, for more than 15m.',
              ),
            ],
          },
        ],
      },
      {
        // Defect: five hours of history, then a jump. A baseline that young has too few samples for its
        // standard deviation to mean anything: the anomaly waits for 6 hours of baseline.
        name: 'Hover p95 jumping with only five hours of baseline',
        series: shift(300, 60, 0.01, [0.25, 0.5]),
        alerts: quiet('IdeLspLatencyAnomaly', at(325), at(330)),
      },
      {
        // Five times the baseline, yet under 50 ms nobody notices.
        name: 'Hover p95 jumping above its baseline but under the 50ms floor',
        series: anomaly([0.025, 0.05]),
        alerts: quiet('IdeLspLatencyAnomaly', at(DAY + 35)),
      },
    ],
  };
}

/** Apart from the rest so promtool runs the slowest scenario (a week of history) in parallel with them. */
export const weeklyTests: TestFile = {
  file: 'predictive-weekly',
  ruleFiles: ['lsp', 'predictive'],
  evaluationInterval: '5m',
  scenarios: [
    {
      // A week at 95 ms, then 242.5 ms: 155% slower than the same time last week.
      name: 'Hover p95 regressing week over week',
      series: shift(WEEK, 90, 0.1, [0.1, 0.25]),
      alerts: [
        ...quiet('IdeLspLatencyRegression', at(WEEK + 30)),
        {
          at: at(WEEK + 85),
          alert: 'IdeLspLatencyRegression',
          expect: [
            fires(
              'low',
              HOVER,
              'The p95 latency of textDocument/hover on tsserver (dev:10451) has been 242.5ms, more than 50% above the same time last week, for more than 1h.',
            ),
          ],
        },
      ],
    },
  ],
};
