import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { MonitoringConfig } from '../config.js';
import { dashboardSelector } from '../promql.js';
import { REC } from '../rules/records.js';
import { Board, q } from './board.js';
import { exporterHealthRow } from './exporter-row.js';
import { above, below } from './steps.js';

/** The IDE backend as reported through the ingestion API, and the processes it runs as. */
export function appDashboard(config: MonitoringConfig): Dashboard {
  const d = dashboardSelector(config.clusterLabel);
  const t = config.thresholds;
  const rate = (metric: string, ...matchers: string[]) => `rate(${d(metric, ...matchers)}[$__rate_interval])`;
  const perGroup = (metric: string) => `sum by (instance, group) (${d(metric)})`;
  const board = new Board(config, 'app', 'IDE backend operations and caches (ingestion API) and the process groups the exporter watches.')
    .row('Operations')
    .timeseries({
      title: 'Operation rate',
      description: 'Operations per second reported by the IDE, by operation.',
      unit: 'ops',
      queries: [q(`sum by (operation) (${d(REC.operations)})`, '{{operation}}')],
      width: 8,
    })
    .timeseries({
      title: 'Operation p95 duration',
      description: `95th-percentile duration per operation; "${t.appUiRefreshSlow.operation}" is held to the IdeAppUiRefreshSlow budget.`,
      unit: 's',
      queries: [q(`max by (operation) (${d(REC.operationP95)})`, '{{operation}}')],
      width: 8,
    })
    .timeseries({
      title: 'Operation error ratio',
      description: 'Share of operations that ended in an error.',
      unit: 'percentunit',
      queries: [q(`max by (operation) (${d(REC.operationErrorRatio)})`, '{{operation}}')],
      min: 0,
      width: 8,
    })
    .row('Caches')
    .timeseries({
      title: 'Cache hit ratio',
      description: 'Share of cache lookups that hit; the dashed line is the IdeAppCacheHitRatioLow threshold.',
      unit: 'percentunit',
      queries: [q(`max by (cache) (${d(REC.cacheHitRatio)})`, '{{cache}}')],
      steps: below(t.appCacheHitRatioLow.levels),
      min: 0,
      max: 1,
    })
    .timeseries({
      title: 'Cache lookups',
      description: 'Cache lookups per second by cache and result.',
      unit: 'ops',
      queries: [q(`sum by (cache, result) (${rate('ide_app_cache_requests_total')})`, '{{cache}} {{result}}')],
      stack: true,
    })
    .row('Process groups')
    .timeseries({
      title: 'Processes per group',
      description: 'Processes in each watched group; 0 is what IdeProcessGroupGone reports.',
      unit: 'none',
      queries: [q(perGroup('ide_process_count'), '{{instance}} {{group}}')],
      width: 8,
    })
    .timeseries({
      title: 'Resident memory per group',
      description: 'Resident memory of each process group.',
      unit: 'bytes',
      queries: [q(perGroup('ide_process_resident_memory_bytes'), '{{instance}} {{group}}')],
      width: 8,
    })
    .timeseries({
      title: 'Resident memory growth per hour',
      description: 'Relative growth of each group\u2019s resident memory per hour (linear fit over 1 h); dashed line is the IdeProcessMemoryLeak threshold.',
      unit: 'percentunit',
      queries: [q(d(REC.rssGrowth), '{{instance}} {{group}}')],
      steps: above(t.processMemoryLeak.levels),
      width: 8,
    })
    .timeseries({
      title: 'CPU per group',
      description: 'CPU seconds per second used by each group, user and system together (1 = one core).',
      unit: 'short',
      queries: [q(`sum by (instance, group) (${rate('ide_process_cpu_seconds_total')})`, '{{instance}} {{group}}')],
      width: 6,
    })
    .timeseries({
      title: 'Open file descriptors per group',
      description: 'File descriptors the group\u2019s processes hold open.',
      unit: 'none',
      queries: [q(perGroup('ide_process_open_fds'), '{{instance}} {{group}}')],
      width: 6,
    })
    .timeseries({
      title: 'Threads per group',
      description: 'Threads over the group\u2019s processes.',
      unit: 'none',
      queries: [q(perGroup('ide_process_threads'), '{{instance}} {{group}}')],
      width: 6,
    })
    .timeseries({
      title: 'Restarts per group',
      description: 'Process restarts (a new PID after the old one exited) per second; IdeProcessRestartLoop fires on a burst.',
      unit: 'ops',
      queries: [q(`sum by (instance, group) (${rate('ide_process_restarts_total')})`, '{{instance}} {{group}}')],
      width: 6,
    })
    .row('Ingestion')
    .timeseries({
      title: 'Ingest batches by outcome',
      description: 'Batches posted to /api/v1/ingest per second: accepted, invalid, unauthorized or too large.',
      unit: 'ops',
      queries: [q(`sum by (outcome) (${rate('ide_ingest_batches_total')})`, '{{outcome}}')],
      width: 8,
    })
    .timeseries({
      title: 'Ingested observations by kind',
      description: 'Observations per second accepted through the ingestion API.',
      unit: 'ops',
      queries: [q(`sum by (kind) (${rate('ide_ingest_observations_total')})`, '{{kind}}')],
      width: 8,
    })
    .timeseries({
      title: 'Label values folded into "other"',
      description: 'Label values beyond the allowlist or cardinality cap, per second and metric; frequent folding hides detail.',
      unit: 'ops',
      queries: [q(`sum by (metric) (${rate('ide_ingest_label_overflow_total')})`, '{{metric}}')],
      width: 8,
    });
  return exporterHealthRow(board).build();
}
