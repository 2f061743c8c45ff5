import { REC } from '../rules/records.js';
import { counter, fires, histogram, line, quiet, series, type TestFile } from './model.js';

const SYMBOLS = { cache: 'symbols' };
const GROUP = { group: 'tsserver' };

const cache = (hits: number, misses: number): [string, string][] => [
  [series('ide_app_cache_requests_total', { ...SYMBOLS, result: 'hit' }), counter(hits, 30)],
  [series('ide_app_cache_requests_total', { ...SYMBOLS, result: 'miss' }), counter(misses, 30)],
];

const uiRefresh = (lower: number, upper: number) =>
  histogram('ide_app_operation_duration_seconds', { operation: 'ui_refresh', outcome: 'ok' }, lower, upper, 60, 30);

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
      exprs: [{ at: '10m', expr: REC.cacheHitRatio, samples: [{ labels: `${REC.cacheHitRatio}{cache="symbols", instance="dev:10451", job="ide-monitor"}`, value: 0 }] }],
    },
    {
      name: 'UI refresh p95 over its 250ms budget',
      series: uiRefresh(0.25, 0.5),
      alerts: [
        ...quiet('IdeAppUiRefreshSlow', '5m'),
        {
          at: '15m',
          alert: 'IdeAppUiRefreshSlow',
          expect: [fires('medium', { operation: 'ui_refresh' }, 'The p95 duration of ui_refresh on dev:10451 has been 487.5ms for more than 10m (budget 250ms).')],
        },
      ],
    },
    { name: 'UI refresh p95 under its budget', series: uiRefresh(0.1, 0.25), alerts: quiet('IdeAppUiRefreshSlow', '15m') },
    {
      name: 'Process group empty for more than two minutes',
      series: [[series('ide_process_count', GROUP), '2x5 0x20']],
      alerts: [
        ...quiet('IdeProcessGroupGone', '6m'),
        { at: '10m', alert: 'IdeProcessGroupGone', expect: [fires('high', GROUP, 'No process of group tsserver has been running on dev:10451 for more than 2m.')] },
      ],
    },
    {
      // 1 GB growing 5 MB a minute: 300 MB/h over a mean of 1.15 GB in the first hour.
      name: 'Resident memory growing 26% an hour',
      series: [[series('ide_process_resident_memory_bytes', GROUP), line(1e9, 5e6, 90)]],
      alerts: [
        ...quiet('IdeProcessMemoryLeak', '20m'),
        {
          at: '60m',
          alert: 'IdeProcessMemoryLeak',
          expect: [fires('high', GROUP, 'The resident memory of group tsserver on dev:10451 has been growing by 26.09% per hour for more than 30m.')],
        },
      ],
    },
    {
      name: 'Resident memory growing 17% an hour',
      series: [[series('ide_process_resident_memory_bytes', GROUP), line(1e9, 3e6, 90)]],
      alerts: quiet('IdeProcessMemoryLeak', '60m'),
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
