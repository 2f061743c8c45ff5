import { REC } from '../rules/records.js';
import { constant, counter, fires, histogram, line, quiet, series, type TestFile } from './model.js';

const SYMBOLS = { cache: 'symbols' };
const GROUP = { group: 'tsserver' };

/** A group whose oldest process started two hours before the test's first sample. */
const oldGroup = (): [string, string][] => [[series('ide_process_oldest_start_time_seconds', GROUP), constant(-7200, 130)]];

const cache = (hits: number, misses: number): [string, string][] => [
  [series('ide_app_cache_requests_total', { ...SYMBOLS, result: 'hit' }), counter(hits, 30)],
  [series('ide_app_cache_requests_total', { ...SYMBOLS, result: 'miss' }), counter(misses, 30)],
];

const uiRefresh = (lower: number, upper: number, perMinute = 60) =>
  histogram('ide_app_operation_duration_seconds', { operation: 'ui_refresh', outcome: 'ok' }, lower, upper, perMinute, 30);

export const appTests: TestFile = {
  file: 'app',
  ruleFiles: ['app'],
  scenarios: [
    {
      name: 'Cache hit ratio of 50% is low',
      series: cache(30, 30),
      alerts: [
        ...quiet('IdeAppCacheHitRatioLow', '10m'),
        {
          at: '20m',
          alert: 'IdeAppCacheHitRatioLow',
          expect: [fires('medium', SYMBOLS, 'Cache symbols on dev:10451 has served only 50% hits for more than 15m (threshold 60%).')],
        },
      ],
    },
    { name: 'Cache hit ratio of 61% is fine', series: cache(36.6, 23.4), alerts: quiet('IdeAppCacheHitRatioLow', '20m') },
    { name: 'Cache hit ratio of 10% on 3 lookups a minute is noise', series: cache(0.3, 2.7), alerts: quiet('IdeAppCacheHitRatioLow', '20m') },
    {
      name: 'A cache that never hit has a hit ratio of 0',
      series: [[series('ide_app_cache_requests_total', { ...SYMBOLS, result: 'miss' }), counter(60, 30)]],
      exprs: [
        {
          at: '10m',
          expr: REC.cacheHitRatio,
          samples: [{ labels: `${REC.cacheHitRatio}{cache="symbols", instance="dev:10451", job="ide-monitor"}`, value: 0 }],
        },
      ],
    },
    {
      name: 'UI refresh p95 over its 250ms budget',
      series: uiRefresh(0.25, 0.5),
      alerts: [
        ...quiet('IdeAppUiRefreshSlow', '5m'),
        {
          at: '15m',
          alert: 'IdeAppUiRefreshSlow',
          expect: [
            fires('medium', { operation: 'ui_refresh' }, 'The p95 duration of ui_refresh on dev:10451 has been 487.5ms for more than 10m (budget 250ms).'),
          ],
        },
      ],
    },
    { name: 'UI refresh p95 under its budget', series: uiRefresh(0.1, 0.25), alerts: quiet('IdeAppUiRefreshSlow', '15m') },
    // Two slow refreshes a minute (0.03/s) are the slowest of ten, not a p95.
    { name: 'UI refresh p95 over its budget on a handful of refreshes', series: uiRefresh(0.25, 0.5, 2), alerts: quiet('IdeAppUiRefreshSlow', '15m') },
    {
      name: 'Process group empty for more than two minutes',
      series: [[series('ide_process_count', GROUP), '2x5 0x20']],
      alerts: [
        ...quiet('IdeProcessGroupGone', '6m'),
        {
          at: '10m',
          alert: 'IdeProcessGroupGone',
          expect: [fires('high', GROUP, 'No process of group tsserver has been running on dev:10451 for more than 2m.')],
        },
      ],
    },
    {
      // An hour-old group, 1 GB growing 5 MB a minute: 300 MB/h over the last hour's mean.
      name: 'Resident memory growing over 20% an hour',
      series: [...oldGroup(), [series('ide_process_resident_memory_bytes', GROUP), line(1e9, 5e6, 130)]],
      alerts: [
        // Quiet for the first hour whatever the growth: less than an hour of data behind the fit.
        ...quiet('IdeProcessMemoryLeak', '20m', '80m'),
        {
          at: '100m',
          alert: 'IdeProcessMemoryLeak',
          expect: [fires('high', GROUP, 'The resident memory of group tsserver on dev:10451 has been growing by 22.22% per hour for more than 30m.')],
        },
      ],
    },
    {
      name: 'Resident memory growing 17% an hour',
      series: [...oldGroup(), [series('ide_process_resident_memory_bytes', GROUP), line(1e9, 3e6, 130)]],
      alerts: quiet('IdeProcessMemoryLeak', '100m'),
    },
    {
      // Defect: a group started with the test loads its project for 40 minutes (30 MB a minute); the fit
      // read that as hundreds of percent per hour and the alert fired on a process younger than an hour.
      name: 'A young process group loading its project is not leaking',
      series: [
        [series('ide_process_oldest_start_time_seconds', GROUP), constant(0, 60)],
        [series('ide_process_resident_memory_bytes', GROUP), `${line(1e8, 3e7, 40)} ${constant(1.3e9, 19)}`],
      ],
      alerts: quiet('IdeProcessMemoryLeak', '35m', '45m', '59m'),
    },
    {
      name: 'Process group restarting four times in 15 minutes',
      series: [[series('ide_process_restarts_total', GROUP), '0x10 1 2 3 4x20']],
      alerts: [{ at: '20m', alert: 'IdeProcessRestartLoop', expect: [fires('high', GROUP, 'Group tsserver on dev:10451 restarted 4 times in the last 15m.')] }],
    },
    {
      name: 'Process group restarting three times in 15 minutes',
      series: [[series('ide_process_restarts_total', GROUP), '0x10 1 2 3x20']],
      alerts: quiet('IdeProcessRestartLoop', '20m'),
    },
  ],
};
