import { humanSeconds, num, percent, seconds } from '../promql.js';
import { defineAlert, forText, record, type RuleArea, type RuleContext } from './model.js';
import { REC } from './records.js';

/** Alerts on where things are heading rather than where they are: trends, baselines, last week. */
export function predictiveRules(ctx: RuleContext): RuleArea {
  const { m } = ctx;
  const t = ctx.config.thresholds;
  const window = t.hostMemoryExhaustionPredicted.window;
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
        levels: t.hostMemoryExhaustionPredicted.levels,
        summary: 'Memory is predicted to run out.',
        expr: (l) => `
          (
            predict_linear(${m('ide_host_memory_available_bytes')}[${window}], ${seconds(l.horizon)}) <= 0
          and on (job, instance)
            ${REC.memoryUsed} > ${num(l.value)}
          )`,
        description: (l) =>
          `At the rate of the last ${window}, {{ $labels.instance }} will run out of available memory within ${humanSeconds(seconds(l.horizon))}.`,
        condition: (l) =>
          `available memory predicted to reach 0 within ${humanSeconds(seconds(l.horizon))} (trend over ${window}) while used > ${percent(l.value)}`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeLspLatencyAnomaly',
        dashboard: 'trends',
        levels: t.lspLatencyAnomaly.levels,
        summary: 'A language server method is unusually slow compared with the last day.',
        // A flat baseline has a standard deviation near 0; the floor keeps imperceptible changes quiet.
        expr: (l) => `
          (
            ${REC.lspP95} > ${REC.lspP95Avg1d} + ${num(l.value)} * ${REC.lspP95Stddev1d}
          and
            ${REC.lspP95} > ${num(t.lspLatencyAnomaly.minLatency)}
          )`,
        description: (l) =>
          `The p95 latency of {{ $labels.method }} on {{ $labels.server }} ({{ $labels.instance }}) has been {{ $value | humanizeDuration }}, more than ${num(l.value)} standard deviations above its 1-day average, for more than ${forText(l)}.`,
        condition: (l) =>
          `p95 > 1-day mean + ${num(l.value)} σ (and > ${humanSeconds(t.lspLatencyAnomaly.minLatency)})`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeLspLatencyRegression',
        dashboard: 'trends',
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
        condition: (l) =>
          `p95 > ${percent(l.value)} above its value 1 week earlier (and > ${humanSeconds(t.lspLatencyRegression.minLatency)})`,
      }),
    ],
  };
}
