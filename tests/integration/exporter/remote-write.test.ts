import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../support/binaries.js';
import { startExporter, type RunningExporter } from '../../support/exporter.js';
import { parseSamples, single, valuesOf } from '../../support/exposition.js';
import { freePort, waitFor } from '../../support/ports.mjs';
import { startPrometheus, type RunningPrometheus } from '../../support/prometheus.mjs';

const prometheusBinary = requireBinary('prometheus', 'prometheus');

/**
 * How long the receiver is down. The scenario is 30 s; 8 s (the default, and what CI runs)
 * already spans 16 gathers at the test's 500 ms interval, enough to overflow the 60-sample queue several
 * times over. REMOTE_WRITE_OUTAGE_MS=30000 runs the full scenario.
 */
const OUTAGE_MS = Number(process.env['REMOTE_WRITE_OUTAGE_MS'] ?? 8000);
const CAPACITY = 60;
const MAX_PER_SEND = 20;

describe.skipIf(prometheusBinary === undefined)('remote write to a real Prometheus (--web.enable-remote-write-receiver)', () => {
  let prometheus: RunningPrometheus;
  let exporter: RunningExporter;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    prometheus = await startPrometheus({ binary: prometheusBinary!, scrapeTargets: [], remoteWriteReceiver: true, port });
    // A procfs whose loadavg never changes, so the values read back from Prometheus are known exactly.
    const procfs = mkdtempSync(path.join(tmpdir(), 'ide-monitor-rw-procfs-'));
    writeFileSync(path.join(procfs, 'loadavg'), '0.5 0.25 0.125 1/100 4242\n');
    const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-rw-'));
    const config = path.join(dir, 'config.yml');
    writeFileSync(
      config,
      [
        'ingest: { enabled: false }',
        'global:',
        '  external_labels: { user: alice, machine: laptop-1 }',
        '  remote_write_interval: 500ms',
        'remote_write:',
        `  - url: http://127.0.0.1:${port}/api/v1/write`,
        '    remote_timeout: 2s',
        `    queue_config: { capacity: ${CAPACITY}, max_samples_per_send: ${MAX_PER_SEND}, min_backoff: 100ms, max_backoff: 1s }`,
      ].join('\n'),
    );
    // Only the load collector and no feature metrics: a gather is small and known (about 20 samples).
    exporter = await startExporter({
      args: [
        `--config.file=${config}`,
        `--path.procfs=${procfs}`,
        '--collector.disable-defaults',
        '--collector.load',
        '--web.disable-exporter-metrics',
        '--no-bridge.enabled',
        '--no-status.enabled',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await exporter?.stop();
    await prometheus?.stop();
  });

  const exporterMetrics = async () => parseSamples(await (await fetch(`${exporter.url}/metrics`)).text());
  const url = () => `http://127.0.0.1:${port}/api/v1/write`;

  it('pushes the samples /metrics exposes, with the external labels, and Prometheus answers them back', async () => {
    await waitFor('pushed samples in Prometheus', async () => (await prometheus.query('ide_host_load1')).length === 1, 20_000, 250);
    const [load1] = await prometheus.query('ide_host_load1');
    expect(load1!.metric).toEqual({ __name__: 'ide_host_load1', user: 'alice', machine: 'laptop-1' });
    expect(load1!.value[1]).toBe('0.5');
    expect((await prometheus.query('ide_host_load15{user="alice",machine="laptop-1"}'))[0]!.value[1]).toBe('0.125');
    const success = await prometheus.query('ide_exporter_collector_success');
    expect(success.map((s) => [s.metric['collector'], s.value[1]])).toEqual([['load', '1']]);
    const capacity = await prometheus.query('ide_remote_write_queue_capacity_samples');
    expect(capacity.map((s) => [s.metric['url'], s.value[1]])).toEqual([[url(), String(CAPACITY)]]);
    // Only what /metrics exposes: no exporter process metrics (disabled), no collector that is off.
    expect(await prometheus.query('{__name__=~"process_.+|nodejs_.+|ide_host_cpu_.+"}')).toEqual([]);

    const own = await exporterMetrics();
    expect(valuesOf(own, 'ide_remote_write_samples_total').find((s) => s.labels['outcome'] === 'sent')!.value).toBeGreaterThan(0);
    expect(single(own, 'ide_remote_write_last_success_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 10);
  });

  it(
    `keeps sending after the receiver was down ${OUTAGE_MS / 1000} s: the newest queued samples arrive, the queue stays bounded, the overflow is counted`,
    async () => {
      await prometheus.stop();
      const downAt = Date.now();
      let maxPending = 0;
      while (Date.now() - downAt < OUTAGE_MS) {
        const pending = single(await exporterMetrics(), 'ide_remote_write_queue_samples');
        maxPending = Math.max(maxPending, pending);
        await new Promise((r) => setTimeout(r, 250));
      }
      const upAt = Date.now();
      const during = await exporterMetrics();
      const outcome = (samples: typeof during, name: string) =>
        valuesOf(samples, 'ide_remote_write_samples_total').find((s) => s.labels['outcome'] === name)!.value;
      expect(outcome(during, 'dropped')).toBeGreaterThan(0);
      expect(single(during, 'ide_remote_write_samples_retried_total')).toBeGreaterThan(0);
      // Queued plus the batch in flight.
      expect(maxPending).toBeLessThanOrEqual(CAPACITY + MAX_PER_SEND);
      expect(maxPending).toBeGreaterThanOrEqual(CAPACITY);

      // The receiver comes back where the exporter expects it (a fresh TSDB: everything in it came after).
      prometheus = await startPrometheus({ binary: prometheusBinary!, scrapeTargets: [], remoteWriteReceiver: true, port });
      await waitFor('the queue to drain', async () => single(await exporterMetrics(), 'ide_remote_write_queue_samples') < MAX_PER_SEND, 20_000, 250);
      const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent('ide_host_load1[5m]')}`);
      const body = (await response.json()) as { data: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
      const stamps = body.data.result[0]!.values.map(([t]) => t * 1000);
      // Samples gathered while the receiver was down reached it afterwards, in order, with their own timestamps.
      const fromOutage = stamps.filter((t) => t > downAt && t < upAt);
      expect(fromOutage.length).toBeGreaterThan(0);
      expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
      expect(body.data.result[0]!.metric).toEqual({ __name__: 'ide_host_load1', user: 'alice', machine: 'laptop-1' });
      expect(outcome(await exporterMetrics(), 'failed')).toBe(0);
    },
    OUTAGE_MS + 60_000,
  );
});
