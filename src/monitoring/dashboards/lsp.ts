import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { MonitoringConfig } from '../config.js';
import { dashboardSelector } from '../promql.js';
import { OLDEST_IN_FLIGHT, REC } from '../rules/records.js';
import { Board, q } from './board.js';
import { exporterHealthRow } from './exporter-row.js';
import { above } from './steps.js';

/** RED per LSP method: rate, errors, duration; then the servers' own state. */
export function lspDashboard(config: MonitoringConfig): Dashboard {
  const d = dashboardSelector(config.clusterLabel);
  const t = config.thresholds;
  const byMethod = (rec: string, agg = 'max') => `${agg} by (server, method) (${d(rec)})`;
  const quantile = (label: string, rec: string) => ({
    title: `${label} latency by method`,
    description: `${label} response time of each LSP method and server over 5 minutes (recording rule ${rec}).`,
    unit: 's',
    queries: [q(byMethod(rec), '{{server}} {{method}}')],
    width: 8,
  });
  const board = new Board(config, 'lsp', 'Language-server requests per method: latency percentiles, throughput, errors, in-flight work and diagnostics.')
    .row('Summary')
    .stat({
      title: 'Request rate',
      description: 'LSP requests per second over all servers and methods.',
      unit: 'reqps',
      queries: [q(`sum(${d(REC.lspRequests)})`, 'requests')],
    })
    .stat({
      title: 'Worst error ratio',
      description: 'Highest share of failed requests over servers and methods. Colours follow IdeLspErrorRatioHigh.',
      unit: 'percentunit',
      queries: [q(`max(${d(REC.lspErrorRatio)})`, 'errors')],
      steps: above(t.lspErrorRatio.levels),
    })
    .stat({
      title: 'Servers running',
      description: 'Language servers whose process runs now (ide_lsp_server_up).',
      unit: 'none',
      queries: [q(`sum(${d('ide_lsp_server_up')})`, 'running')],
    })
    .stat({
      title: 'Requests in flight',
      description: 'Editor requests sent to a server and not yet answered.',
      unit: 'none',
      queries: [q(`sum(${d('ide_lsp_requests_in_flight', 'direction="client_to_server"')})`, 'in flight')],
    })
    .row('Latency')
    .timeseries(quantile('p50', REC.lspP50))
    .timeseries(quantile('p95', REC.lspP95))
    .timeseries(quantile('p99', REC.lspP99))
    .row('Traffic and errors')
    .timeseries({
      title: 'Throughput by method',
      description: 'Requests per second per method and server, whatever their outcome.',
      unit: 'reqps',
      queries: [q(byMethod(REC.lspRequests, 'sum'), '{{server}} {{method}}')],
    })
    .timeseries({
      title: 'Error ratio by method',
      description: 'Share of requests answered with an error; dashed line at the IdeLspErrorRatioHigh threshold.',
      unit: 'percentunit',
      queries: [q(byMethod(REC.lspErrorRatio), '{{server}} {{method}}')],
      steps: above(t.lspErrorRatio.levels),
      min: 0,
    })
    .timeseries({
      title: 'Errors by JSON-RPC code',
      description: 'Error responses per second by JSON-RPC error code (-32800 cancelled, -32801 content modified, -32603 internal).',
      unit: 'reqps',
      queries: [q(`sum by (server, code) (rate(${d('ide_lsp_request_errors_total')}[$__rate_interval]))`, '{{server}} {{code}}')],
    })
    .timeseries({
      title: 'Requests by outcome',
      description: 'Requests per second by outcome: ok, error, cancelled by the editor, short-circuited by the proxy.',
      unit: 'reqps',
      queries: [q(`sum by (outcome) (rate(${d('ide_lsp_request_duration_seconds_count')}[$__rate_interval]))`, '{{outcome}}')],
      stack: true,
    })
    .row('Operations')
    .table({
      title: 'Operations',
      description: 'Per server and method: p95 latency, throughput, error ratio and the p95 trend against one hour earlier.',
      unit: 'none',
      labels: ['server', 'method'],
      columns: [
        { title: 'p95', unit: 's' },
        { title: 'Throughput', unit: 'reqps' },
        { title: 'Error rate', unit: 'percentunit' },
        { title: 'Trend (p95 vs 1 h ago)', unit: 'percentunit' },
      ],
      queries: [
        q(byMethod(REC.lspP95)),
        q(byMethod(REC.lspRequests, 'sum')),
        q(byMethod(REC.lspErrorRatio)),
        q(`${byMethod(REC.lspP95)} / max by (server, method) (${d(REC.lspP95)} offset 1h) - 1`),
      ],
      height: 10,
    })
    .row('Servers')
    .timeseries({
      title: 'In flight by direction',
      description: 'Requests awaiting an answer: editor to server, and server to editor (which may wait for the user).',
      unit: 'none',
      queries: [q(`sum by (server, direction) (${d('ide_lsp_requests_in_flight')})`, '{{server}} {{direction}}')],
    })
    .timeseries({
      title: 'Oldest request in flight',
      description:
        'Age of the oldest editor request each server has not answered yet; a steady stream of fast requests stays near 0, a stuck one climbs (IdeLspRequestsStuck, dashed line).',
      unit: 's',
      queries: [q(`max by (server) (${d(OLDEST_IN_FLIGHT)})`, '{{server}}')],
      steps: above(t.lspRequestsStuck.levels),
    })
    .timeseries({
      title: 'Diagnostics by severity',
      description: 'Diagnostics currently published over all open documents.',
      unit: 'none',
      queries: [q(`sum by (server, severity) (${d('ide_lsp_diagnostics')})`, '{{server}} {{severity}}')],
      stack: true,
    })
    .timeseries({
      title: 'Notifications by method',
      description: 'LSP notifications per second (didChange, publishDiagnostics, …) in both directions.',
      unit: 'ops',
      queries: [q(`sum by (method, direction) (rate(${d('ide_lsp_notifications_total')}[$__rate_interval]))`, '{{method}} {{direction}}')],
    })
    .timeseries({
      title: 'Message bytes',
      description: 'Bytes per second on the wire between editor and server.',
      unit: 'Bps',
      queries: [q(`sum by (server, direction) (rate(${d('ide_lsp_message_bytes_total')}[$__rate_interval]))`, '{{server}} {{direction}}')],
    })
    .timeseries({
      title: 'Server starts and abnormal exits',
      description: 'Server process starts and non-zero exits per second; a sawtooth here is what IdeLspServerRestarting reports.',
      unit: 'ops',
      queries: [
        q(`sum by (server) (rate(${d('ide_lsp_server_starts_total')}[$__rate_interval]))`, '{{server}} starts'),
        q(`sum by (server) (rate(${d('ide_lsp_server_exits_total', 'code!="0"')}[$__rate_interval]))`, '{{server}} abnormal exits'),
      ],
    })
    .timeseries({
      title: 'Proxy observations dropped',
      description: 'Observations the LSP proxy dropped because its buffer was full or the exporter unreachable (IdeLspProxyDroppingObservations).',
      unit: 'ops',
      queries: [q(`sum by (server) (rate(${d('ide_lsp_proxy_observations_dropped_total')}[$__rate_interval]))`, '{{server}}')],
    });
  return exporterHealthRow(board).build();
}
