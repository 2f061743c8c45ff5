import { humanSeconds, num, percent, seconds } from '../promql.js';
import { defineAlert, forText, record, type RuleArea, type RuleContext } from './model.js';
import { REC } from './records.js';

/** The IDE backend's own operations and caches (ingestion API) and its process groups. */
export function appRules(ctx: RuleContext): RuleArea {
  const { m } = ctx;
  const t = ctx.config.thresholds;
  // `without` the folded label, so the target's labels (cluster, namespace, pod, …) all survive.
  const cacheRate = (...matchers: string[]) => `sum without (result) (rate(${m('ide_app_cache_requests_total', ...matchers)}[5m]))`;
  const opRate = (...matchers: string[]) => `sum without (outcome) (rate(${m('ide_app_operation_duration_seconds_count', ...matchers)}[5m]))`;
  return {
    file: 'app',
    title: 'Application',
    recording: [
      record(REC.cacheRequests, cacheRate()),
      // `or … * 0`: a cache that never hit has a ratio of 0, not no ratio at all.
      record(REC.cacheHitRatio, `(${cacheRate('result="hit"')} or ${cacheRate()} * 0) / ${cacheRate()}`),
      record(REC.operations, opRate()),
      record(REC.operationErrorRatio, `(${opRate('outcome="error"')} or ${opRate()} * 0) / ${opRate()}`),
      record(REC.operationP95, `histogram_quantile(0.95, sum without (outcome) (rate(${m('ide_app_operation_duration_seconds_bucket')}[5m])))`),
      // Relative growth per hour: the slope of a linear fit over the last hour, over the hour's mean.
      record(REC.rssGrowth, `deriv(${m('ide_process_resident_memory_bytes')}[1h]) * 3600 / avg_over_time(${m('ide_process_resident_memory_bytes')}[1h])`),
    ],
    alerts: [
      ...defineAlert(ctx, {
        name: 'IdeAppCacheHitRatioLow',
        dashboard: 'app',
        panel: 'Cache hit ratio',
        levels: t.appCacheHitRatioLow.levels,
        summary: 'A cache serves too few hits.',
        expr: (l) => `
          (
            ${REC.cacheHitRatio} < ${num(l.value)}
          and
            ${REC.cacheRequests} > ${num(t.appCacheHitRatioLow.minRequestRate)}
          )`,
        description: (l) =>
          `Cache {{ $labels.cache }} on {{ $labels.instance }} has served only {{ $value | humanizePercentage }} hits for more than ${forText(l)} (threshold ${percent(l.value)}).`,
        condition: (l) => `hit ratio < ${percent(l.value)} (at least ${num(t.appCacheHitRatioLow.minRequestRate)} req/s)`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeAppUiRefreshSlow',
        dashboard: 'app',
        panel: 'Operation p95 duration',
        levels: t.appUiRefreshSlow.levels,
        summary: 'The IDE takes too long to refresh its UI.',
        // As the LSP budgets: a p95 over a handful of refreshes is the slowest of them.
        expr: (l) => `
          (
            ${REC.operationP95}{operation="${t.appUiRefreshSlow.operation}"} > ${num(l.value)}
          and
            ${REC.operations}{operation="${t.appUiRefreshSlow.operation}"} > ${num(t.appUiRefreshSlow.minRequestRate)}
          )`,
        description: (l) =>
          `The p95 duration of {{ $labels.operation }} on {{ $labels.instance }} has been {{ $value | humanizeDuration }} for more than ${forText(l)} (budget ${humanSeconds(l.value)}).`,
        condition: (l) =>
          `p95 of operation "${t.appUiRefreshSlow.operation}" > ${humanSeconds(l.value)} (at least ${num(t.appUiRefreshSlow.minRequestRate)} per second)`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeProcessGroupGone',
        dashboard: 'app',
        panel: 'Processes per group',
        levels: t.processGroupGone.levels,
        summary: 'A watched process group has no process.',
        expr: () => `${m('ide_process_count')} == 0`,
        description: (l) => `No process of group {{ $labels.group }} has been running on {{ $labels.instance }} for more than ${forText(l)}.`,
        condition: () => 'ide_process_count == 0',
      }),
      ...defineAlert(ctx, {
        name: 'IdeProcessMemoryLeak',
        dashboard: 'app',
        panel: 'Resident memory growth per hour',
        levels: t.processMemoryLeak.levels,
        summary: 'A process group keeps growing its memory.',
        // A young group is loading its project, not leaking: its oldest process and the data behind the
        // linear fit must both be `minAge` old, or startup growth reads as hundreds of percent per hour.
        expr: (l) => `
          (
            ${REC.rssGrowth} > ${num(l.value)}
          and
            time() - ${m('ide_process_oldest_start_time_seconds')} > ${seconds(t.processMemoryLeak.minAge)}
          and
            ${m('ide_process_resident_memory_bytes')} offset ${t.processMemoryLeak.minAge}
          )`,
        description: (l) =>
          `The resident memory of group {{ $labels.group }} on {{ $labels.instance }} has been growing by {{ $value | humanizePercentage }} per hour for more than ${forText(l)}.`,
        condition: (l) =>
          `resident memory growing > ${percent(l.value)} per hour (linear fit over 1h), group and data older than ${t.processMemoryLeak.minAge}`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeProcessRestartLoop',
        dashboard: 'app',
        panel: 'Restarts per group',
        levels: t.processRestartLoop.levels,
        summary: 'A process group keeps restarting.',
        expr: (l) => `increase(${m('ide_process_restarts_total')}[${t.processRestartLoop.window}]) > ${num(l.value)}`,
        description: () =>
          `Group {{ $labels.group }} on {{ $labels.instance }} restarted {{ printf "%.0f" $value }} times in the last ${t.processRestartLoop.window}.`,
        condition: (l) => `more than ${num(l.value)} restarts in ${t.processRestartLoop.window}`,
      }),
    ],
  };
}
