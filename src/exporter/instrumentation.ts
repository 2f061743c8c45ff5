import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { BuildInfo } from '../build-info.js';
import type { Labels, MetricFamily, MetricType, Sample } from './metric-family.js';

/**
 * The exporter's own long-lived metrics, kept by prom-client: its default `process_*` and `nodejs_*`
 * metrics, build info, and (as later features land) the histograms and counters fed by the LSP proxy,
 * the ingestion API and the alert bridge.
 */
export function createInstrumentation(build: BuildInfo, options: { exporterMetrics: boolean } = { exporterMetrics: true }): Registry {
  const registry = new Registry();
  if (options.exporterMetrics) {
    collectDefaultMetrics({ register: registry });
    // Gauges named `_total` fail `promtool check metrics` ("non-counter metrics should not have _total
    // suffix"); each is the sum over `type` of its unsuffixed sibling (`nodejs_active_handles` etc.), which stays.
    for (const name of PROM_CLIENT_TOTAL_GAUGES) registry.removeSingleMetric(name);
  }
  new Gauge({
    name: 'ide_exporter_build_info',
    help: 'A metric with a constant 1 labelled by the version, git revision and Node.js version ide-monitor runs on.',
    labelNames: ['version', 'revision', 'node_version'],
    registers: [registry],
  })
    .labels({ version: build.version, revision: build.revision, node_version: build.nodeVersion })
    .set(1);
  return registry;
}

const PROM_CLIENT_TOTAL_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** prom-client's metrics as format-neutral families, so one writer renders text and OpenMetrics alike. */
export async function registryFamilies(registry: Registry): Promise<MetricFamily[]> {
  const metrics = await registry.getMetricsAsJSON();
  return metrics.map((m) => ({
    name: m.name,
    help: m.help,
    type: String(m.type) as MetricType,
    samples: m.values.map((v): Sample => {
      const labels = v.labels as Labels;
      const name = (v as { metricName?: string }).metricName;
      return name === undefined || name === m.name ? { labels, value: v.value } : { labels, value: v.value, name };
    }),
  }));
}
