import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../support/binaries.js';
import { startExporter, type RunningExporter } from '../../support/exporter.js';
import { parseSamples, promtoolCheckMetrics, single, valuesOf } from '../../support/exposition.js';

const promtool = requireBinary('promtool', 'prometheus');

// Loopback is included here (the default excludes it) so the test can make traffic it can measure.
let exporter: RunningExporter;
beforeAll(async () => {
  exporter = await startExporter({ args: ['--collector.network.device-exclude=^veth'] });
});
afterAll(async () => {
  await exporter?.stop();
});

async function scrape(headers: Record<string, string> = {}) {
  const response = await fetch(`${exporter.url}/metrics`, { headers });
  return { response, body: await response.text() };
}

function kernelStat(key: string): number {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key} `));
  return Number(line?.split(/\s+/)[1]);
}

describe("ide-monitor serve /metrics against this machine's kernel", () => {
  it.skipIf(promtool === undefined)('serves an exposition that promtool parses and lints clean', async () => {
    const { response, body } = await scrape();
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const check = promtoolCheckMetrics(promtool!, body);
    // No allowlist: exit 0 with no finding (prom-client's `_total` gauges are left out, see instrumentation.ts).
    expect(check).toEqual({ ok: true, output: '' });
  });

  it('reports MemTotal from /proc/meminfo exactly, in bytes', async () => {
    const samples = parseSamples((await scrape()).body);
    const memTotalKb = Number(/^MemTotal:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]);
    expect(single(samples, 'ide_host_memory_total_bytes')).toBe(memTotalKb * 1024);
  });

  it('reports boot time equal to /proc/stat btime', async () => {
    const samples = parseSamples((await scrape()).body);
    expect(single(samples, 'ide_host_boot_time_seconds')).toBe(kernelStat('btime'));
  });

  it('has one cpu_seconds series per core and mode, growing by about wall time × cores', async () => {
    const total = async () => {
      const series = valuesOf(parseSamples((await scrape()).body), 'ide_host_cpu_seconds_total');
      return { series, sum: series.reduce((acc, s) => acc + s.value, 0), at: performance.now() };
    };
    const first = await total();
    expect(first.series).toHaveLength(cpus().length * 8);
    await new Promise((r) => setTimeout(r, 2000));
    const second = await total();
    const wallSeconds = (second.at - first.at) / 1000;
    const grown = second.sum - first.sum;
    // USER_HZ ticks are 10 ms and the two reads are not atomic: allow a generous band around the ideal.
    expect(grown).toBeGreaterThan(wallSeconds * cpus().length * 0.8);
    expect(grown).toBeLessThan(wallSeconds * cpus().length * 1.2 + 0.1);
  });

  it('counts loopback traffic in network bytes when the exclude pattern lets lo through', async () => {
    const loBytes = async () =>
      valuesOf(parseSamples((await scrape()).body), 'ide_host_network_receive_bytes_total').find((s) => s.labels['device'] === 'lo')?.value;
    const before = await loBytes();
    expect(before).toBeDefined();
    const payload = 'x'.repeat(1 << 20);
    await fetch(`${exporter.url}/-/healthy`, { method: 'GET', headers: { 'X-Padding': payload.slice(0, 8000) } });
    for (let i = 0; i < 20; i++) await fetch(`${exporter.url}/metrics`);
    const after = await loBytes();
    expect(after! - before!).toBeGreaterThan(20 * 1000);
  });

  it('reports every enabled collector as successful, with its duration', async () => {
    const samples = parseSamples((await scrape()).body);
    const success = valuesOf(samples, 'ide_exporter_collector_success');
    expect(success.map((s) => s.labels['collector']).sort()).toEqual(
      ['cpu', 'diskio', 'filefd', 'filesystem', 'hostinfo', 'load', 'memory', 'network', 'pressure', 'process', 'stat'].sort(),
    );
    expect(success.every((s) => s.value === 1)).toBe(true);
    expect(valuesOf(samples, 'ide_exporter_collector_duration_seconds')).toHaveLength(success.length);
  });

  it("includes build info and prom-client's process_* and nodejs_* metrics", async () => {
    const samples = parseSamples((await scrape()).body);
    const [build] = valuesOf(samples, 'ide_exporter_build_info');
    expect(build?.labels).toMatchObject({ version: '0.1.0', node_version: process.version });
    expect(samples.some((s) => s.name === 'process_resident_memory_bytes')).toBe(true);
    expect(samples.some((s) => s.name.startsWith('nodejs_'))).toBe(true);
  });

  it('serves OpenMetrics when asked, ending in # EOF, with counter families named without _total', async () => {
    const { response, body } = await scrape({ Accept: 'application/openmetrics-text; version=1.0.0' });
    expect(response.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(body.endsWith('# EOF\n')).toBe(true);
    expect(body).toContain('# TYPE ide_host_cpu_seconds counter\n');
    expect(body).toMatch(/^ide_host_cpu_seconds_total\{cpu="0",mode="user"\} /m);
  });

  it('answers gzip when the scraper accepts it', async () => {
    const response = await fetch(`${exporter.url}/metrics`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(await response.text()).toContain('ide_host_load1 ');
  });

  it('has a landing page linking to the endpoints, and Prometheus-style health endpoints', async () => {
    const landing = await fetch(`${exporter.url}/`);
    expect(landing.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await landing.text();
    for (const href of ['metrics', '-/healthy', '-/ready']) expect(html).toContain(`href="${href}"`);
    const healthy = await fetch(`${exporter.url}/-/healthy`);
    expect([healthy.status, await healthy.text()]).toEqual([200, 'ide-monitor is Healthy.\n']);
    const ready = await fetch(`${exporter.url}/-/ready`);
    expect([ready.status, await ready.text()]).toEqual([200, 'ide-monitor is Ready.\n']);
    expect((await fetch(`${exporter.url}/nope`)).status).toBe(404);
  });
});
