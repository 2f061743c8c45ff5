import { humanSeconds, num, percent, seconds } from '../promql.js';
import { defineAlert, forText, record, type RuleArea, type RuleContext } from './model.js';
import { REC } from './records.js';

/** Alerts on where things are heading rather than where they are: trends, baselines, last week. */
export function predictiveRules(ctx: RuleContext): RuleArea {
  const t = ctx.config.thresholds;
  const { window, recentWindow } = t.hostMemoryExhaustionPredicted;
  const available = ctx.host(ctx.h.memoryAvailable);
  return {
    file: 'predictive',
    title: 'Predictive',
    recording: [
      // The 1-day baseline of each method's p95; the anomaly alert compares the current p95 with it.
      record(REC.lspP95Avg1d, `avg_over_time(${REC.lspP95}[1d])`),
      record(REC.lspP95Stddev1d, `stddev_over_time(${REC.lspP95}[1d])`),
    ],
    alerts: [
      ...defineAlert(ctx, {
        name: 'IdeHostMemoryExhaustionPredicted',
        dashboard: 'trends',
        panel: 'Available memory predicted',
        host: true,
        levels: t.hostMemoryExhaustionPredicted.levels,
        summary: 'Memory is predicted to run out.',
        // Both trends must point at 0: over `window` alone, a fall that has stopped still drags the fitted line
        // below 0 for most of an hour of flat memory. The offset series guards a Prometheus (or a host) with
        // less than `window` of history, whose short fit extrapolates noise.
        expr: (l) => `
          (
            ${REC.memoryUsed} > ${num(l.value)}
          and
            predict_linear(${available}[${window}], ${seconds(l.horizon)}) <= 0
          and
            predict_linear(${available}[${recentWindow}], ${seconds(l.horizon)}) <= 0
          and
            ${available} offset ${window}
          )`,
        description: (l) =>
          `{{ $value | humanizePercentage }} of the memory of {{ $labels.instance }} is in use and, at the rate of the last ${window} and of the last ${recentWindow}, available memory will run out within ${humanSeconds(seconds(l.horizon))}.`,
        condition: (l) =>
          `available memory predicted to reach 0 within ${humanSeconds(seconds(l.horizon))} by the trends over ${window} and over ${recentWindow}, while used > ${percent(l.value)} and ${window} of history exists`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeLspLatencyAnomaly',
        dashboard: 'trends',
        panel: 'LSP p95 against its 1-day baseline',
        levels: t.lspLatencyAnomaly.levels,
        summary: 'A language server method is unusually slow compared with the last day.',
        // A flat baseline has a standard deviation near 0; the floor keeps imperceptible changes quiet. A
        // baseline of a few minutes (a fresh Prometheus, a new method) is no baseline: the 1-day average
        // must already have existed `minHistory` ago.
        expr: (l) => `
          (
            ${REC.lspP95} > ${REC.lspP95Avg1d} + ${num(l.value)} * ${REC.lspP95Stddev1d}
          and
            ${REC.lspP95} > ${num(t.lspLatencyAnomaly.minLatency)}
          and
            ${REC.lspP95Avg1d} offset ${t.lspLatencyAnomaly.minHistory}
          )`,
        description: (l) =>
          `The p95 latency of {{ $labels.method }} on {{ $labels.server }} ({{ $labels.instance }}) has been {{ $value | humanizeDuration }}, more than ${num(l.value)} standard deviations above its 1-day average, for more than ${forText(l)}.`,
        condition: (l) =>
          `p95 > 1-day mean + ${num(l.value)} σ (and > ${humanSeconds(t.lspLatencyAnomaly.minLatency)}, baseline at least ${t.lspLatencyAnomaly.minHistory} old)`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeLspLatencyRegression',
        dashboard: 'trends',
        panel: 'LSP p95 change week over week',
        levels: t.lspLatencyRegression.levels,
        summary: 'A language server method is slower than a week ago.',
        expr: (l) => `
          (
            ${REC.lspP95} > ${num(1 + l.value)} * (${REC.lspP95} offset 1w)
          and
            ${REC.lspP95} > ${num(t.lspLatencyRegression.minLatency)}
          )`,
        description: (l) =>
          `The p95 latency of {{ $labels.method }} on {{ $labels.server }} ({{ $labels.instance }}) has been {{ $value | humanizeDuration }}, more than ${percent(l.value)} above the same time last week, for more than ${forText(l)}.`,
        condition: (l) => `p95 > ${percent(l.value)} above its value 1 week earlier (and > ${humanSeconds(t.lspLatencyRegression.minLatency)})`,
      }),
    ],
  };
}
