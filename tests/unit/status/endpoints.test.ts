import { request, type IncomingMessage } from 'node:http';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { statusSchema } from '../../../src/config/sections/status.js';
import type { ScrapeRunner } from '../../../src/exporter/collector.js';
import type { MetricFamily } from '../../../src/exporter/metric-family.js';
import { ExporterServer } from '../../../src/exporter/server.js';
import { silentLogger } from '../../../src/log.js';
import { StatusFeature } from '../../../src/status/feature.js';
import type { History, Snapshot } from '../../../src/status/snapshot.js';
import { hostFamilies, lspHistogram } from './support.js';

/** A stand-in for the ScrapeRunner: host families whose CPU counters advance on every scrape. */
function fakeRunner() {
  let n = 0;
  return {
    scrapes: () => n,
    scrape: async (): Promise<MetricFamily[]> => {
      n += 1;
      return hostFamilies({ busy: n * 0.5, idle: n * 1.5 });
    },
  };
}

function get(port: number, path: string): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens an SSE stream and collects its events until `count` arrived. */
function stream(port: number, count: number): Promise<{ status: number; events: { id: string; data: Record<string, unknown> }[]; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/stream' }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        resolve({ status: res.statusCode ?? 0, events: [], res });
        return;
      }
      let buffer = '';
      const events: { id: string; data: Record<string, unknown> }[] = [];
      res.on('data', (d: Buffer) => {
        buffer += d.toString();
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (data !== undefined) events.push({ id: /^id: (.*)$/m.exec(block)?.[1] ?? '', data: JSON.parse(data) as Record<string, unknown> });
          if (events.length === count) resolve({ status: 200, events, res });
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const running: { server: ExporterServer; feature: StatusFeature }[] = [];
afterEach(async () => {
  for (const { server, feature } of running.splice(0)) {
    await server.stop(1000);
    await feature.stop();
  }
});

async function start(status: Record<string, unknown> = {}) {
  const registry = new Registry();
  const runner = fakeRunner();
  const feature = new StatusFeature({
    config: statusSchema.parse({ interval: '100ms', history: '1m', ...status }),
    telemetryPath: '/metrics',
    source: runner,
    registry,
    build: { version: '9.9.9', revision: 'abc123', nodeVersion: process.version },
    logger: silentLogger,
  });
  const server = new ExporterServer({
    listenAddress: { host: '127.0.0.1', port: 0 },
    telemetryPath: '/metrics',
    web: { headers: {} },
    // Structurally a ScrapeRunner: the server only calls scrape().
    runner: { scrape: runner.scrape } as unknown as ScrapeRunner,
    registry,
    build: { version: '9.9.9', revision: 'abc123', nodeVersion: process.version },
    logger: silentLogger,
    extensions: [feature.extension, { name: 'bridge', links: [{ href: 'api/v1/alerts', title: 'Alerts API' }] }],
  });
  await feature.start();
  const { port } = await server.start();
  running.push({ server, feature });
  return { port, feature, registry, runner };
}

describe('status page endpoints', () => {
  it('serves the page at / with the landing links and the build', async () => {
    const { port } = await start();
    const page = await get(port, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    for (const link of ['href="metrics"', 'href="-/healthy"', 'href="-/ready"']) expect(page.body).toContain(link);
    expect(page.body).toContain('v9.9.9');
    const script = await get(port, '/status/assets/app.js');
    expect(script.status).toBe(200);
    expect(script.body).toContain('EventSource');
  });

  it('answers /api/v1/snapshot with health, alerts and a point', async () => {
    const { port } = await start();
    await new Promise((r) => setTimeout(r, 350));
    const res = await get(port, '/api/v1/snapshot');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    // The served update is the snapshot plus `ts`, when it was serialised.
    const body = JSON.parse(res.body) as Snapshot & { ts: number };
    expect(body.seq).toBeGreaterThanOrEqual(2);
    // busy 0.5 per scrape against 2 s in total: 25 % busy.
    expect(body.health.cpu.value).toBeCloseTo(0.25);
    expect(body.health.cpu.colour).toBe('green');
    expect(body.health.memory.value).toBeCloseTo(0.6);
    expect(body.health.lsp.colour).toBe('grey');
    expect(body.alerts).toMatchObject({ enabled: false });
    expect(body.operations).toEqual([]);
    expect(typeof body.ts).toBe('number');
  });

  it('serves history for a valid range and 400 with a reason for a bad one', async () => {
    const { port } = await start();
    await new Promise((r) => setTimeout(r, 350));
    const ok = await get(port, '/api/v1/history?range=30s');
    expect(ok.status).toBe(200);
    const history = JSON.parse(ok.body) as History;
    expect(history.t.length).toBeGreaterThanOrEqual(3);
    expect(history.cpu).toHaveLength(history.t.length);
    expect(history.rangeMs).toBe(30_000);
    expect((await get(port, '/api/v1/history')).status).toBe(200);
    for (const [query, reason] of [
      ['range=15m', /longer than the history kept/],
      ['range=abc', /not a duration/],
      ['range=10ms', /shorter than the sampling interval/],
      ['range=1m&range=2m', /given once/],
    ] as const) {
      const bad = await get(port, `/api/v1/history?${query}`);
      expect(bad.status, query).toBe(400);
      expect((JSON.parse(bad.body) as { error: string }).error).toMatch(reason);
    }
  });

  it('pushes one event per tick with a server timestamp, the same bytes to every client', async () => {
    const { port, feature } = await start();
    const [a, b] = await Promise.all([stream(port, 4), stream(port, 4)]);
    expect(a.status).toBe(200);
    expect(a.res.headers['content-type']).toMatch(/^text\/event-stream/);
    const seqs = a.events.map((e) => e.data['seq'] as number);
    expect(seqs[3]! - seqs[1]!).toBe(2);
    expect(a.events.every((e) => typeof e.data['ts'] === 'number' && e.id === String(e.data['seq']))).toBe(true);
    // Both clients received the identical serialisation of each shared tick.
    const common = a.events.filter((e) => b.events.some((f) => f.id === e.id));
    expect(common.length).toBeGreaterThan(0);
    for (const e of common) expect(b.events.find((f) => f.id === e.id)!.data).toEqual(e.data);
    // Built once per tick: asking again returns the same object, not a fresh serialisation.
    expect(feature.update()).toBe(feature.update());
    a.res.destroy();
    b.res.destroy();
  });

  it('refuses streams beyond status.max_clients with 503', async () => {
    const { port, feature } = await start({ max_clients: 1 });
    const first = await stream(port, 1);
    const second = await stream(port, 1);
    expect(second.status).toBe(503);
    expect(feature.hub.size).toBe(1);
    first.res.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(feature.hub.size).toBe(0);
    const third = await stream(port, 1);
    expect(third.status).toBe(200);
    third.res.destroy();
  });

  it('reuses a /metrics scrape from the last interval instead of scraping again', async () => {
    const { port, runner, feature } = await start({ interval: '1s' });
    await new Promise((r) => setTimeout(r, 50));
    const before = runner.scrapes();
    expect((await get(port, '/metrics')).status).toBe(200);
    expect(runner.scrapes()).toBe(before + 1);
    await feature.sampler.tick();
    expect(runner.scrapes()).toBe(before + 1);
    await feature.sampler.tick();
    expect(runner.scrapes()).toBe(before + 2);
  });

  it('shows LSP operations once the histogram has data', async () => {
    const { port, registry } = await start();
    const h = lspHistogram(registry);
    for (let i = 0; i < 20; i += 1) h.observe({ server: 'ts', method: 'textDocument/hover', outcome: 'ok' }, 0.03);
    await new Promise((r) => setTimeout(r, 350));
    const body = JSON.parse((await get(port, '/api/v1/snapshot')).body) as Snapshot;
    expect(body.operations).toHaveLength(1);
    expect(body.operations[0]).toMatchObject({ method: 'textDocument/hover', errorRatio: 0 });
    expect(body.operations[0]!.p95).toBeGreaterThan(0.025);
    expect(body.operations[0]!.p95).toBeLessThanOrEqual(0.05);
    expect(body.health.lsp.colour).toBe('green');
  });
});
