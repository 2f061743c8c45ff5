import { q, type Board } from './board.js';
import { UP_STEPS } from './steps.js';

/** What differs between the exporters a dashboard's last row watches: their names, metrics and texts. */
interface WatchedExporter {
  /** How descriptions name it: "the exporter", "node_exporter". */
  readonly called: string;
  /** How they name its process. */
  readonly process: string;
  /** Its per-collector metrics: `<prefix>_success`, `<prefix>_duration_seconds`. */
  readonly collectorMetrics: string;
  readonly failingText: string;
  readonly durationText: string;
  /** Its own process metrics' caveat, appended to the CPU and memory descriptions. */
  readonly processNote: string;
  /** Node.js event-loop lag, which only ide-monitor exports. */
  readonly eventLoop: boolean;
}

const IDE_MONITOR: WatchedExporter = {
  called: 'the exporter',
  process: 'the exporter process',
  collectorMetrics: 'ide_exporter_collector',
  failingText: 'Collectors that failed or timed out on the last scrape; their metrics are missing until they recover.',
  durationText: 'Time each collector took on the last scrape; collectors run concurrently, so the slowest sets the pace.',
  processNote: '',
  eventLoop: true,
};

/** node_exporter in the same place, for the host dashboard in node_exporter mode (its variables pick it). */
const NODE_EXPORTER: WatchedExporter = {
  called: 'node_exporter',
  process: 'the node_exporter process',
  collectorMetrics: 'node_scrape_collector',
  failingText: 'node_exporter collectors that failed on the last scrape; their metrics are missing until they recover.',
  durationText: 'Time each node_exporter collector took on the last scrape.',
  processNote: ' (gone with --web.disable-exporter-metrics)',
  eventLoop: false,
};

/** The exporter watching itself, as the last, collapsed row of every dashboard (Node Exporter Full's habit). */
export function exporterHealthRow(board: Board): Board {
  return healthRow(board, IDE_MONITOR);
}

export function nodeExporterHealthRow(board: Board): Board {
  return healthRow(board, NODE_EXPORTER);
}

function healthRow(board: Board, exporter: WatchedExporter): Board {
  const d = board.selector;
  // The second line's three or four panels share its 24 columns.
  const width = exporter.eventLoop ? 6 : 8;
  let row = board
    .collapsedRow('Exporter health')
    .stat({
      title: 'Exporter up',
      description: `Whether Prometheus\u2019 last scrape of ${exporter.called} succeeded (1) or failed (0).`,
      unit: 'none',
      queries: [q(d('up'), '{{instance}}')],
      steps: UP_STEPS,
      width: 6,
    })
    .stat({
      title: 'Collectors failing',
      description: exporter.failingText,
      unit: 'none',
      queries: [q(`count(${d(`${exporter.collectorMetrics}_success`)} == 0) or vector(0)`, 'failing')],
      steps: [
        { value: null, color: 'green' },
        { value: 1, color: 'orange' },
      ],
      width: 6,
    })
    .timeseries({
      title: 'Scrape duration',
      description: `How long Prometheus took to scrape ${exporter.called}; it must stay well under the scrape timeout.`,
      unit: 's',
      queries: [q(d('scrape_duration_seconds'), '{{instance}}')],
      width: 12,
    })
    .timeseries({
      title: 'Collector duration',
      description: exporter.durationText,
      unit: 's',
      queries: [q(`max by (collector) (${d(`${exporter.collectorMetrics}_duration_seconds`)})`, '{{collector}}')],
      width,
    });
  if (exporter.eventLoop) {
    row = row.timeseries({
      title: 'Event loop lag',
      description: '99th-percentile delay of the exporter\u2019s Node.js event loop; a busy loop delays scrapes and the bridge alike.',
      unit: 's',
      queries: [q(d('nodejs_eventloop_lag_p99_seconds'), '{{instance}}')],
      width,
    });
  }
  return row
    .timeseries({
      title: 'Exporter CPU',
      description: `CPU time ${exporter.process} uses, as a fraction of one core${exporter.processNote}.`,
      unit: 'percentunit',
      queries: [q(`rate(${d('process_cpu_seconds_total')}[$__rate_interval])`, '{{instance}}')],
      width,
    })
    .timeseries({
      title: 'Exporter memory',
      description: `Resident memory of ${exporter.process}${exporter.processNote}.`,
      unit: 'bytes',
      queries: [q(d('process_resident_memory_bytes'), '{{instance}}')],
      width,
    });
}
