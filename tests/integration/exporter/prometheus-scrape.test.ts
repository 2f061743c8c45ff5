import { cpus } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../support/binaries.js';
import { startExporter, type RunningExporter } from '../../support/exporter.js';
import { startPrometheus, type RunningPrometheus } from '../../support/prometheus.mjs';

const prometheusBinary = requireBinary('prometheus', 'prometheus');

describe.skipIf(prometheusBinary === undefined)('a real Prometheus scraping ide-monitor', () => {
  let exporter: RunningExporter;
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    exporter = await startExporter();
    prometheus = await startPrometheus({ binary: prometheusBinary!, scrapeTargets: [`127.0.0.1:${exporter.port}`] });
    // rate() divides by the whole range: wait until the samples cover the 5 s window used below.
    await prometheus.waitForScrapes(7);
  }, 90_000);

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.stop();
  });

  it('sees the target up', async () => {
    const up = await prometheus.query('up{job="ide-monitor"}');
    expect(up.map((s) => s.value[1])).toEqual(['1']);
  });

  it('computes a CPU rate per core and mode from the cumulative counters', async () => {
    const rates = await prometheus.query('rate(ide_host_cpu_seconds_total[5s])');
    expect(rates).toHaveLength(cpus().length * 8);
    const modes = new Set(rates.map((s) => s.metric['mode']));
    expect([...modes].sort()).toEqual(['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user']);
    const busy = rates.reduce((acc, s) => acc + Number(s.value[1]), 0);
    // All modes of all cores together account for about one second per second per core.
    expect(busy).toBeGreaterThan(cpus().length * 0.7);
    expect(busy).toBeLessThan(cpus().length * 1.3);
  });

  it('ingests the OpenMetrics exposition Prometheus negotiates, with every collector succeeding', async () => {
    const failing = await prometheus.query('ide_exporter_collector_success == 0');
    expect(failing).toEqual([]);
    const families = await prometheus.query('count by (__name__) ({job="ide-monitor", __name__=~"ide_host_.+"})');
    expect(families.length).toBeGreaterThan(30);
  });
});
