import { q, type Board } from './board.js';
import { UP_STEPS } from './steps.js';

/**
 * node_exporter's health in the same place, for the host dashboard in node_exporter mode: its variables
 * pick node_exporter, whose collectors report through `node_scrape_collector_*`.
 */
export function nodeExporterHealthRow(board: Board): Board {
  const d = board.selector;
  return board
    .collapsedRow('Exporter health')
    .stat({
      title: 'Exporter up',
      description: 'Whether Prometheus\u2019 last scrape of node_exporter succeeded (1) or failed (0).',
      unit: 'none',
      queries: [q(d('up'), '{{instance}}')],
      steps: UP_STEPS,
      width: 6,
    })
    .stat({
      title: 'Collectors failing',
      description: 'node_exporter collectors that failed on the last scrape; their metrics are missing until they recover.',
      unit: 'none',
      queries: [q(`count(${d('node_scrape_collector_success')} == 0) or vector(0)`, 'failing')],
      steps: [
        { value: null, color: 'green' },
        { value: 1, color: 'orange' },
      ],
      width: 6,
    })
    .timeseries({
      title: 'Scrape duration',
      description: 'How long Prometheus took to scrape node_exporter; it must stay well under the scrape timeout.',
      unit: 's',
      queries: [q(d('scrape_duration_seconds'), '{{instance}}')],
      width: 12,
    })
    .timeseries({
      title: 'Collector duration',
      description: 'Time each node_exporter collector took on the last scrape.',
      unit: 's',
      queries: [q(`max by (collector) (${d('node_scrape_collector_duration_seconds')})`, '{{collector}}')],
      width: 8,
    })
    .timeseries({
      title: 'Exporter CPU',
      description: 'CPU time the node_exporter process uses, as a fraction of one core (gone with --web.disable-exporter-metrics).',
      unit: 'percentunit',
      queries: [q(`rate(${d('process_cpu_seconds_total')}[$__rate_interval])`, '{{instance}}')],
      width: 8,
    })
    .timeseries({
      title: 'Exporter memory',
      description: 'Resident memory of the node_exporter process (gone with --web.disable-exporter-metrics).',
      unit: 'bytes',
      queries: [q(d('process_resident_memory_bytes'), '{{instance}}')],
      width: 8,
    });
}

/** The exporter watching itself, as the last, collapsed row of every dashboard (Node Exporter Full's habit). */
export function exporterHealthRow(board: Board): Board {
  const d = board.selector;
  return board
    .collapsedRow('Exporter health')
    .stat({
      title: 'Exporter up',
      description: 'Whether Prometheus\u2019 last scrape of the exporter succeeded (1) or failed (0).',
      unit: 'none',
      queries: [q(d('up'), '{{instance}}')],
      steps: UP_STEPS,
      width: 6,
    })
    .stat({
      title: 'Collectors failing',
      description: 'Collectors that failed or timed out on the last scrape; their metrics are missing until they recover.',
      unit: 'none',
      queries: [q(`count(${d('ide_exporter_collector_success')} == 0) or vector(0)`, 'failing')],
      steps: [
        { value: null, color: 'green' },
        { value: 1, color: 'orange' },
      ],
      width: 6,
    })
    .timeseries({
      title: 'Scrape duration',
      description: 'How long Prometheus took to scrape the exporter; it must stay well under the scrape timeout.',
      unit: 's',
      queries: [q(d('scrape_duration_seconds'), '{{instance}}')],
      width: 12,
    })
    .timeseries({
      title: 'Collector duration',
      description: 'Time each collector took on the last scrape; collectors run concurrently, so the slowest sets the pace.',
      unit: 's',
      queries: [q(`max by (collector) (${d('ide_exporter_collector_duration_seconds')})`, '{{collector}}')],
      width: 6,
    })
    .timeseries({
      title: 'Event loop lag',
      description: '99th-percentile delay of the exporter\u2019s Node.js event loop; a busy loop delays scrapes and the bridge alike.',
      unit: 's',
      queries: [q(d('nodejs_eventloop_lag_p99_seconds'), '{{instance}}')],
      width: 6,
    })
    .timeseries({
      title: 'Exporter CPU',
      description: 'CPU time the exporter process uses, as a fraction of one core.',
      unit: 'percentunit',
      queries: [q(`rate(${d('process_cpu_seconds_total')}[$__rate_interval])`, '{{instance}}')],
      width: 6,
    })
    .timeseries({
      title: 'Exporter memory',
      description: 'Resident memory of the exporter process.',
      unit: 'bytes',
      queries: [q(d('process_resident_memory_bytes'), '{{instance}}')],
      width: 6,
    });
}
