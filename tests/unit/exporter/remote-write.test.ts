import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import * as snappy from 'snappyjs';
import { afterEach, describe, expect, it } from 'vitest';
import { counter, gauge, sample } from '../../../src/exporter/metric-family.js';
import { createLogger } from '../../../src/log.js';
import { RemoteWriteClient, type RemoteEndpoint } from '../../../src/remote-write/client.js';
import { labelOf } from '../../../src/remote-write/endpoints.js';
import { createRemoteWriteMetrics, initialiseEndpoint } from '../../../src/remote-write/metrics.js';
import { decodeWriteRequest, encodeWriteRequest, type PromTimeSeries } from '../../../src/remote-write/prompb.js';
import { SampleQueue } from '../../../src/remote-write/queue.js';
import { RemoteWriteSender } from '../../../src/remote-write/sender.js';
import { familiesToSeries } from '../../../src/remote-write/series.js';
import { waitFor } from '../../support/ports.mjs';
import { configSchema } from '../../../src/config/schema.js';
import { ScrapeRunner } from '../../../src/exporter/collector.js';
import { createRemoteWriteFeature } from '../../../src/remote-write/feature.js';

const logger = createLogger({ level: 'error', format: 'logfmt' });
const one = (name: string, value: number, timestamp = 1000): PromTimeSeries => ({
  labels: [{ name: '__name__', value: name }],
  samples: [{ value, timestamp }],
});

describe('the remote-write encoding', () => {
  it('round-trips a WriteRequest through protobuf and snappy, int64 timestamps and doubles intact', () => {
    const series: PromTimeSeries[] = [
      {
        labels: [
          { name: '__name__', value: 'up' },
          { name: 'job', value: 'x' },
        ],
        samples: [{ value: 1, timestamp: 1_796_000_000_123 }],
      },
      {
        labels: [{ name: '__name__', value: 'v' }],
        samples: [
          { value: -0.125, timestamp: 0 },
          { value: Infinity, timestamp: 2 ** 42 },
        ],
      },
    ];
    const wire = snappy.compress(encodeWriteRequest(series));
    expect(decodeWriteRequest(snappy.uncompress(wire))).toEqual({ timeseries: series });
  });

  it('turns families into sorted-label series named as the text format names them, with external labels', () => {
    const families = [
      counter('ide_x_total', 'h', [sample(3, { z: 'last', a: 'first' })]),
      gauge('ide_y', 'h', [sample(1, { machine: 'own', empty: '' })]),
      { name: 'ide_h_seconds', help: 'h', type: 'histogram' as const, samples: [{ name: 'ide_h_seconds_bucket', labels: { le: '+Inf' }, value: 2 }] },
    ];
    const series = familiesToSeries(families, 42, { machine: 'laptop-1', user: 'alice' });
    expect(series.map((s) => s.labels.map((l) => `${l.name}=${l.value}`).join(','))).toEqual([
      '__name__=ide_x_total,a=first,machine=laptop-1,user=alice,z=last',
      // The sample's own label wins over an external one; an empty label is no label.
      '__name__=ide_y,machine=own,user=alice',
      '__name__=ide_h_seconds_bucket,le=+Inf,machine=laptop-1,user=alice',
    ]);
    expect(series.map((s) => s.samples)).toEqual([[{ value: 3, timestamp: 42 }], [{ value: 1, timestamp: 42 }], [{ value: 2, timestamp: 42 }]]);
  });

  it('labels an endpoint without its credentials or query string', () => {
    expect(labelOf(new URL('https://user:secret@mimir.example:443/api/v1/push?api_key=k'))).toBe('https://mimir.example/api/v1/push');
  });
});

describe('SampleQueue', () => {
  it('hands out samples oldest first across gathers', () => {
    const queue = new SampleQueue(10);
    queue.push([one('a', 1), one('a', 2), one('a', 3)]);
    queue.push([one('a', 4), one('a', 5)]);
    expect(queue.take(4).map((s) => s.samples[0]!.value)).toEqual([1, 2, 3, 4]);
    expect(queue.length).toBe(1);
    expect(queue.take(4).map((s) => s.samples[0]!.value)).toEqual([5]);
    expect(queue.take(4)).toEqual([]);
  });

  it('drops the oldest samples when full and says how many', () => {
    const queue = new SampleQueue(4);
    expect(queue.push([one('a', 1), one('a', 2), one('a', 3)])).toBe(0);
    expect(queue.push([one('a', 4), one('a', 5), one('a', 6)])).toBe(2);
    expect(queue.length).toBe(4);
    // A gather larger than the whole queue keeps its newest part.
    expect(queue.push([7, 8, 9, 10, 11].map((v) => one('a', v)))).toBe(5);
    expect(queue.take(10).map((s) => s.samples[0]!.value)).toEqual([8, 9, 10, 11]);
  });
});

describe('RemoteWriteSender against a local HTTP receiver', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** A receiver answering each request with the next status of `answers` (the last one repeats). */
  async function receiver(answers: { status: number; headers?: Record<string, string> }[]) {
    const requests: { at: number; headers: IncomingMessage['headers']; series: PromTimeSeries[] }[] = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push({ at: Date.now(), headers: req.headers, series: decodeWriteRequest(snappy.uncompress(Buffer.concat(chunks))).timeseries });
        const answer = answers[Math.min(requests.length - 1, answers.length - 1)]!;
        res.writeHead(answer.status, answer.headers).end(answer.status >= 400 ? 'out of order sample\n' : '');
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`);
    const endpoint: RemoteEndpoint = { url, label: labelOf(url), timeoutMs: 2000, headers: { Authorization: 'Bearer t0k' }, tls: { rejectUnauthorized: true } };
    return { requests, endpoint };
  }

  function sender(endpoint: RemoteEndpoint, options: { capacity?: number; minBackoffMs?: number } = {}) {
    const registry = new Registry();
    const metrics = createRemoteWriteMetrics(registry);
    initialiseEndpoint(metrics, endpoint.label);
    const s = new RemoteWriteSender(
      new RemoteWriteClient(endpoint, 'ide-monitor/test'),
      { label: endpoint.label, capacity: options.capacity ?? 100, maxSamplesPerSend: 2, minBackoffMs: options.minBackoffMs ?? 10, maxBackoffMs: 1000 },
      metrics,
      logger,
    );
    const value = async (name: string, outcome?: string) => {
      const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name)!;
      return metric.values.find((v) => outcome === undefined || v.labels['outcome'] === outcome)!.value;
    };
    return { s, value };
  }

  it('sends with the remote-write 1.0 headers, in batches, oldest first', async () => {
    const { requests, endpoint } = await receiver([{ status: 204 }]);
    const { s, value } = sender(endpoint);
    s.start();
    s.enqueue([one('a', 1), one('a', 2), one('a', 3)]);
    await waitFor('three samples sent', async () => (await value('ide_remote_write_samples_total', 'sent')) === 3, 5000, 10);
    await s.stop(100);
    expect(requests.map((r) => r.series.map((x) => x.samples[0]!.value))).toEqual([[1, 2], [3]]);
    expect(requests[0]!.headers).toMatchObject({
      'content-encoding': 'snappy',
      'content-type': 'application/x-protobuf',
      'x-prometheus-remote-write-version': '0.1.0',
      'user-agent': 'ide-monitor/test',
      authorization: 'Bearer t0k',
    });
    expect(await value('ide_remote_write_queue_samples')).toBe(0);
    expect(await value('ide_remote_write_last_success_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 5);
  });

  it('retries a 503 after the Retry-After it names, then succeeds with the same batch', async () => {
    const { requests, endpoint } = await receiver([{ status: 503, headers: { 'Retry-After': '1' } }, { status: 429 }, { status: 200 }]);
    const { s, value } = sender(endpoint);
    s.start();
    s.enqueue([one('a', 1)]);
    await waitFor('the batch sent', async () => (await value('ide_remote_write_samples_total', 'sent')) === 1, 5000, 10);
    await s.stop(100);
    expect(requests).toHaveLength(3);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(requests.map((r) => r.series)).toEqual([requests[0]!.series, requests[0]!.series, requests[0]!.series]);
    expect(await value('ide_remote_write_samples_retried_total')).toBe(2);
    expect(await value('ide_remote_write_samples_total', 'failed')).toBe(0);
  });

  it('drops and counts as failed a batch answered with a 4xx other than 429, and goes on with the next', async () => {
    const { requests, endpoint } = await receiver([{ status: 400 }, { status: 200 }]);
    const { s, value } = sender(endpoint);
    s.start();
    s.enqueue([one('a', 1), one('a', 2), one('a', 3)]);
    await waitFor('the rest sent', async () => (await value('ide_remote_write_samples_total', 'sent')) === 1, 5000, 10);
    await s.stop(100);
    expect(requests).toHaveLength(2);
    expect(await value('ide_remote_write_samples_total', 'failed')).toBe(2);
    expect(await value('ide_remote_write_samples_retried_total')).toBe(0);
  });

  it('never waits on the network to enqueue: with the receiver refusing, the queue stays at capacity and counts drops', async () => {
    const { endpoint } = await receiver([{ status: 500 }]);
    const { s, value } = sender(endpoint, { capacity: 5, minBackoffMs: 50 });
    s.start();
    const started = performance.now();
    for (let i = 0; i < 20; i++) s.enqueue([one('a', i), one('a', i + 0.5)]);
    expect(performance.now() - started).toBeLessThan(50);
    expect(s.pending).toBeLessThanOrEqual(5 + 2);
    expect(await value('ide_remote_write_samples_total', 'dropped')).toBeGreaterThanOrEqual(40 - 7);
    await s.stop(100);
  });
});

describe('remote write as a serve feature, across reloads', () => {
  it("keeps a kept endpoint's counters and last success, drops a removed endpoint's series, and starts the new one", async () => {
    const received: string[] = [];
    const server = createServer((req, res) => {
      received.push(req.url ?? '');
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const registry = new Registry();
    const config = (...paths: string[]) =>
      configSchema.parse({ global: { remote_write_interval: '1h' }, remote_write: paths.map((p) => ({ url: `${base}${p}` })) });
    const runner = new ScrapeRunner([], { timeoutMs: 1000, paths: config().paths, logger });
    const feature = createRemoteWriteFeature({
      config: config('/a'),
      registry,
      build: { version: '1', revision: 'r', nodeVersion: process.version },
      logger,
      runner,
    });
    const series = async () =>
      (await registry.getMetricsAsJSON()).flatMap((m) => m.values.map((v) => ({ name: m.name, url: v.labels['url'], value: v.value })));
    const lastSuccess = async (path: string) =>
      (await series()).find((x) => x.name === 'ide_remote_write_last_success_timestamp_seconds' && x.url === `${base}${path}`)?.value;
    try {
      await feature.start!();
      await waitFor('the first push to /a', async () => ((await lastSuccess('/a')) ?? 0) > 0, 5000, 10);
      const first = await lastSuccess('/a');
      // Kept /a, added /b: /a keeps its last success (no false "not delivering"), /b starts at 0 and pushes.
      await feature.reload!(config('/a', '/b'));
      expect(await lastSuccess('/a')).toBe(first);
      await waitFor('the first push to /b', async () => ((await lastSuccess('/b')) ?? 0) > 0, 5000, 10);
      // Removed /a: its series are gone.
      await feature.reload!(config('/b'));
      expect((await series()).filter((x) => x.url === `${base}/a`)).toEqual([]);
      expect(await lastSuccess('/b')).toBeGreaterThan(0);
      expect(received).toContain('/a');
      expect(received).toContain('/b');
    } finally {
      await feature.stop!();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('remote write reloading a rotated secret file', () => {
  it('sends the new bearer token after the file behind the same path changed and serve reloaded', async () => {
    const tokens: string[] = [];
    const server = createServer((req, res) => {
      tokens.push(req.headers.authorization ?? '');
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dir = mkdtempSync(path.join(tmpdir(), 'rw-token-'));
    const tokenFile = path.join(dir, 'token');
    writeFileSync(tokenFile, 'first-token\n');
    const config = configSchema.parse({
      global: { remote_write_interval: '100ms' },
      remote_write: [{ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/w`, bearer_token_file: tokenFile }],
    });
    const feature = createRemoteWriteFeature({
      config,
      registry: new Registry(),
      build: { version: '1', revision: 'r', nodeVersion: process.version },
      logger,
      runner: new ScrapeRunner([], { timeoutMs: 1000, paths: config.paths, logger }),
    });
    try {
      await feature.start!();
      await waitFor('a push with the first token', async () => tokens.includes('Bearer first-token'), 5000, 10);
      writeFileSync(tokenFile, 'second-token\n');
      await feature.reload!(config);
      await waitFor('a push with the second token', async () => tokens.includes('Bearer second-token'), 5000, 10);
    } finally {
      await feature.stop!();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('RemoteWriteClient over TLS', () => {
  const fixture = (name: string) => readFileSync(new URL(`../../fixtures/tls/${name}`, import.meta.url));

  it('verifies the receiver against the configured CA, and refuses one it cannot verify without sending', async () => {
    let received = 0;
    const server = createTlsServer({ cert: fixture('server.crt'), key: fixture('server.key') }, (req, res) => {
      req.resume();
      req.on('end', () => {
        received += 1;
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`);
      const body = encodeWriteRequest([]);
      const trusted = new RemoteWriteClient(
        { url, label: labelOf(url), timeoutMs: 2000, headers: {}, tls: { ca: fixture('server.crt'), rejectUnauthorized: true } },
        'ide-monitor/test',
      );
      const untrusted = new RemoteWriteClient(
        { url, label: labelOf(url), timeoutMs: 2000, headers: {}, tls: { rejectUnauthorized: true } },
        'ide-monitor/test',
      );
      try {
        expect(await trusted.send(body)).toEqual({ kind: 'sent' });
        expect(await untrusted.send(body)).toEqual({ kind: 'retry', reason: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
        expect(received).toBe(1);
      } finally {
        trusted.close();
        untrusted.close();
      }
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
