import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { MonitoringConfig } from '../config.js';
import { dashboardHostSelector, hostMetricNames } from '../host-metrics.js';
import { dashboardSelector, num, seconds } from '../promql.js';
import { REC } from '../rules/records.js';
import { Board, q, type PanelSpec, type TimeseriesSpec } from './board.js';
import { exporterHealthRow } from './exporter-row.js';
import { above } from './steps.js';

/** Week-over-week comparisons, baselines and linear predictions: where things are heading. */
export function trendsDashboard(config: MonitoringConfig): Dashboard {
  const d = dashboardSelector(config.clusterLabel);
  const host = dashboardHostSelector(config, false);
  const h = hostMetricNames(config.hostMetrics);
  const t = config.thresholds;
  const weekOverWeek = (subject: string, unit: string, expr: (offset: string) => string, legend: string): TimeseriesSpec => ({
    title: `${subject}: now and a week ago`,
    description: `${subject} now and at the same time one week earlier.`,
    unit,
    queries: [q(expr(''), legend), q(expr(' offset 1w'), `${legend} (1 week ago)`)],
  });
  const p95 = (offset: string) => `max by (method) (${d(REC.lspP95)}${offset})`;
  const fsLevel = t.hostFilesystemFillingUp.levels[0];
  const fsHorizon = fsLevel === undefined ? 86400 : seconds(fsLevel.horizon);
  const memLevel = t.hostMemoryExhaustionPredicted.levels[0];
  const memHorizon = memLevel === undefined ? 14400 : seconds(memLevel.horizon);
  const anomaly = t.lspLatencyAnomaly.levels[0]?.value ?? 3;
  /** The spec's trend table: one number per subject, the change against the same time 7 days earlier. */
  const change = (subject: string, description: string, unit: string, expr: string): PanelSpec => ({
    title: `${subject}: 7-day change`,
    description,
    unit,
    queries: [q(expr, 'change')],
    width: 6,
  });
  const avgOf = (rec: string, offset = '', sel = d) => `avg(${sel(rec)}${offset})`;
  const points = (rec: string, sel = d) => `${avgOf(rec, '', sel)} - ${avgOf(rec, ' offset 1w', sel)}`;
  const board = new Board(config, 'trends', 'Week-over-week comparisons (offset 1w), 1-day baselines and linear predictions.', { hostPanels: true })
    .row('Change over 7 days')
    .stat(
      change(
        'LSP p95',
        'Relative change of the worst method\u2019s p95 latency against the same time 7 days earlier.',
        'percentunit',
        `max(${d(REC.lspP95)}) / max(${d(REC.lspP95)} offset 1w) - 1`,
      ),
    )
    .stat(
      change(
        'Memory used',
        'Memory in use now minus 7 days earlier, in percentage points of total memory (averaged over the selected hosts).',
        'percentunit',
        points(REC.memoryUsed, host),
      ),
    )
    .stat(
      change(
        'LSP error ratio',
        'Share of failed LSP requests now minus 7 days earlier, in percentage points (averaged over servers and methods).',
        'percentunit',
        points(REC.lspErrorRatio),
      ),
    )
    .stat(
      change(
        'Cache hit ratio',
        'Cache hit ratio now minus 7 days earlier, in percentage points (averaged over caches); negative means fewer hits.',
        'percentunit',
        points(REC.cacheHitRatio),
      ),
    )
    .row('Week over week')
    .timeseries(weekOverWeek('LSP p95 latency', 's', p95, '{{method}}'))
    .timeseries({
      title: 'LSP p95 change week over week',
      description: 'Relative change of each method\u2019s p95 against one week earlier; the dashed line is the IdeLspLatencyRegression threshold.',
      unit: 'percentunit',
      queries: [q(`${p95('')} / ${p95(' offset 1w')} - 1`, '{{method}}')],
      steps: above(t.lspLatencyRegression.levels),
    })
    .timeseries(weekOverWeek('LSP throughput', 'reqps', (o) => `sum(${d(REC.lspRequests)}${o})`, 'requests'))
    .timeseries(weekOverWeek('CPU busy', 'percentunit', (o) => `avg(${host(REC.cpuBusy)}${o})`, 'CPU busy'))
    .timeseries(weekOverWeek('Memory used', 'percentunit', (o) => `avg(${host(REC.memoryUsed)}${o})`, 'memory used'))
    .timeseries(weekOverWeek('LSP error ratio', 'percentunit', (o) => `avg(${d(REC.lspErrorRatio)}${o})`, 'error ratio'))
    .timeseries(weekOverWeek('Cache hit ratio', 'percentunit', (o) => `avg by (cache) (${d(REC.cacheHitRatio)}${o})`, '{{cache}}'))
    .timeseries(weekOverWeek('Process memory', 'bytes', (o) => `sum by (group) (${d('ide_process_resident_memory_bytes')}${o})`, '{{group}}'))
    .row('Baselines')
    .timeseries({
      title: 'LSP p95 against its 1-day baseline',
      description: `Each method\u2019s p95 and the bound IdeLspLatencyAnomaly watches: 1-day mean + ${num(anomaly)} standard deviations.`,
      unit: 's',
      queries: [
        q(p95(''), '{{method}}'),
        q(`max by (method) (${d(REC.lspP95Avg1d)} + ${num(anomaly)} * ${d(REC.lspP95Stddev1d)})`, '{{method}} anomaly bound'),
      ],
      width: 24,
    })
    .row('Predictions')
    .timeseries({
      title: 'Filesystem space predicted',
      description: `Available bytes per filesystem extrapolated ${num(fsHorizon / 3600)} h ahead from the trend of the last ${t.hostFilesystemFillingUp.window}; below 0 means full by then (IdeHostFilesystemFillingUp).`,
      unit: 'bytes',
      queries: [q(`predict_linear(${host(h.fsAvail)}[${t.hostFilesystemFillingUp.window}], ${fsHorizon})`, '{{instance}} {{mountpoint}}')],
      width: 8,
    })
    .timeseries({
      title: 'Available memory predicted',
      description: `Available memory extrapolated ${num(memHorizon / 3600)} h ahead from the trend of the last ${t.hostMemoryExhaustionPredicted.window}; below 0 is IdeHostMemoryExhaustionPredicted.`,
      unit: 'bytes',
      queries: [q(`predict_linear(${host(h.memoryAvailable)}[${t.hostMemoryExhaustionPredicted.window}], ${memHorizon})`, '{{instance}}')],
      width: 8,
    })
    .timeseries({
      title: 'Process memory growth per hour',
      description: 'Relative resident-memory growth per hour of each process group; the dashed line is the IdeProcessMemoryLeak threshold.',
      unit: 'percentunit',
      queries: [q(d(REC.rssGrowth), '{{instance}} {{group}}')],
      steps: above(t.processMemoryLeak.levels),
      width: 8,
    });
  return exporterHealthRow(board).build();
}
