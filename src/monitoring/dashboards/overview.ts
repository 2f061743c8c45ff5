import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { MonitoringConfig } from '../config.js';
import { dashboardAlerts, dashboardHostSelector } from '../host-metrics.js';
import { dashboardSelector } from '../promql.js';
import { REC } from '../rules/records.js';
import { SEVERITIES } from '../thresholds.js';
import { Board, q } from './board.js';
import { exporterHealthRow } from './exporter-row.js';
import { above, ANY_STEPS } from './steps.js';

/** The executive view: is the machine healthy, are language servers fast and correct, what is firing. */
export function overviewDashboard(config: MonitoringConfig): Dashboard {
  const d = dashboardSelector(config.clusterLabel);
  const host = dashboardHostSelector(config, false);
  const t = config.thresholds;
  const completion = t.lspLatencyBudgets['textDocument/completion'];
  const board = new Board(config, 'overview', 'At a glance: host CPU and memory, language-server health and the alerts firing now.', { hostPanels: true })
    .row('Health')
    .stat({
      title: 'CPU busy',
      description: 'Share of CPU time not idle, averaged over cores (5-minute rate). Colours follow IdeHostCpuHighUsage.',
      unit: 'percentunit',
      queries: [q(host(REC.cpuBusy), '{{instance}}')],
      steps: above(t.hostCpuHighUsage.levels),
      width: 4,
    })
    .stat({
      title: 'Memory used',
      description: 'Share of memory not available to new work (1 − available/total). Colours follow IdeHostMemoryHighUsage.',
      unit: 'percentunit',
      queries: [q(host(REC.memoryUsed), '{{instance}}')],
      steps: above(t.hostMemoryHighUsage.levels),
      width: 4,
    })
    .stat({
      title: 'Completion p95',
      description: 'Worst 95th-percentile latency of textDocument/completion over language servers. Colours follow its budget (IdeLspCompletionSlow).',
      unit: 's',
      queries: [q(`max(${d(REC.lspP95, 'method="textDocument/completion"')})`, 'p95')],
      ...(completion === undefined ? {} : { steps: above(completion.levels) }),
      width: 4,
    })
    .stat({
      title: 'LSP error ratio',
      description: 'Worst share of requests answered with an error, over servers and methods. Colours follow IdeLspErrorRatioHigh.',
      unit: 'percentunit',
      queries: [q(`max(${d(REC.lspErrorRatio)})`, 'errors')],
      steps: above(t.lspErrorRatio.levels),
      width: 4,
    })
    .stat({
      title: 'Firing alerts',
      description: 'ide-monitor alerts firing now for the selected instances, by severity.',
      unit: 'none',
      queries: SEVERITIES.map((severity) => q(`count(${dashboardAlerts(config, 'alertstate="firing"', `severity="${severity}"`)}) or vector(0)`, severity)),
      steps: ANY_STEPS,
      width: 8,
    })
    .row('Trends')
    .timeseries({
      title: 'LSP p95 latency by method',
      description: '95th-percentile response time of each LSP method (worst server), from the recording rules.',
      unit: 's',
      queries: [q(`max by (method) (${d(REC.lspP95)})`, '{{method}}')],
    })
    .timeseries({
      title: 'LSP request rate by method',
      description: 'Requests per second per LSP method, over all servers.',
      unit: 'reqps',
      queries: [q(`sum by (method) (${d(REC.lspRequests)})`, '{{method}}')],
    })
    .timeseries({
      title: 'CPU busy over time',
      description: 'Share of CPU time not idle; dashed lines are the IdeHostCpuHighUsage thresholds.',
      unit: 'percentunit',
      queries: [q(host(REC.cpuBusy), '{{instance}}')],
      steps: above(t.hostCpuHighUsage.levels),
      min: 0,
      max: 1,
    })
    .timeseries({
      title: 'Memory used over time',
      description: 'Share of memory in use; dashed lines are the IdeHostMemoryHighUsage thresholds.',
      unit: 'percentunit',
      queries: [q(host(REC.memoryUsed), '{{instance}}')],
      steps: above(t.hostMemoryHighUsage.levels),
      min: 0,
      max: 1,
    });
  return exporterHealthRow(board).build();
}
