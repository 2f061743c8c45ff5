import { request } from 'node:http';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ScrapeRunner, type Collector } from '../../../src/exporter/collector.js';
import { gauge, sample } from '../../../src/exporter/metric-family.js';
import { DEFAULT_HOST_PATHS } from '../../../src/exporter/procfs.js';
import { ExporterServer, type ServerExtension } from '../../../src/exporter/server.js';
import { silentLogger } from '../../../src/log.js';

/** A collector that answers only when the test says so: a scrape the test can hold in flight. */
function heldCollector() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const collector: Collector = {
    name: 'held',
    async collect() {
      started();
      await released;
      return [gauge('ide_test_held', 'Held until released.', [sample(1)])];
    },
  };
  return { collector, release, running };
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function startWith(collector: Collector, extensions: ServerExtension[] = []) {
  const runner = new ScrapeRunner([collector], { timeoutMs: 10_000, paths: DEFAULT_HOST_PATHS, logger: silentLogger });
  const server = new ExporterServer({
    listenAddress: { host: '127.0.0.1', port: 0 },
    telemetryPath: '/metrics',
    web: { headers: {} },
    runner,
    registry: new Registry(),
    build: { version: 'test', revision: 'test', nodeVersion: process.version },
    logger: silentLogger,
    extensions,
  });
  const { port } = await server.start();
  return { server, port };
}

describe('ExporterServer.stop', () => {
  it('waits for an in-flight scrape, answers it in full, and refuses new connections meanwhile', async () => {
    const held = heldCollector();
    const { server, port } = await startWith(held.collector);
    const scrape = get(port, '/metrics');
    await held.running;

    let stopped = false;
    const stopping = server.stop(5_000).then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(stopped).toBe(false);
    await expect(get(port, '/-/healthy')).rejects.toThrow(/ECONNREFUSED/);

    held.release();
    const response = await scrape;
    await stopping;
    expect(response.status).toBe(200);
    expect(response.body).toContain('ide_test_held 1\n');
    expect(response.body).toContain('ide_exporter_collector_success{collector="held"} 1\n');
  });

  it('cuts a scrape that outlives the grace period, so stop always ends', async () => {
    const held = heldCollector();
    const { server, port } = await startWith(held.collector);
    const scrape = get(port, '/metrics');
    await held.running;
    const started = Date.now();
    await server.stop(200);
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(scrape).rejects.toThrow(/socket hang up|ECONNRESET/);
    held.release();
  });
});

describe('ExporterServer errors (SECURITY.md: no stack to the caller)', () => {
  it('answers a failing route with 500 and a fixed text, not the error or its stack', async () => {
    const failing: ServerExtension = {
      name: 'failing',
      mountPages(app) {
        app.get('/boom', () => {
          throw new Error('db password hunter2 rejected at /srv/secret/path.ts:12');
        });
      },
    };
    const { server, port } = await startWith({ name: 'none', collect: async () => [] }, [failing]);
    try {
      const res = await get(port, '/boom');
      expect(res.status).toBe(500);
      expect(res.body).toBe('internal error; see the exporter log\n');
    } finally {
      await server.stop(1_000);
    }
  });
});
