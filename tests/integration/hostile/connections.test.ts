import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningExporter } from '../../support/exporter.js';
import { waitFor } from '../../support/ports.mjs';
import {
  ENDPOINTS,
  HEADERS_TIMEOUT_MS,
  INGEST,
  moved,
  outcomes,
  postHead,
  RawClient,
  REQUEST_TIMEOUT_MS,
  startHostileExporter,
  TIMEOUT_SLACK_MS,
  underWatch,
  WEBHOOK,
} from './hostile.js';

const SLOW_LORIS_SOCKETS = 200;

describe('slow and idle connections against the real `ide-monitor serve`', () => {
  let exporter: RunningExporter;
  let before: Record<string, Record<string, number>>;

  beforeAll(async () => {
    exporter = await startHostileExporter();
    before = { ingest: await outcomes(exporter, INGEST), webhook: await outcomes(exporter, WEBHOOK) };
  });
  afterAll(async () => {
    await exporter?.stop();
  });

  it(`cuts ${SLOW_LORIS_SOCKETS} slow-loris sockets at the headers timeout while /metrics stays served`, async () => {
    const clients = Array.from({ length: SLOW_LORIS_SOCKETS }, () => new RawClient(exporter.port));
    // Half trickle a request head a byte at a time and never finish it; half send nothing at all.
    const trickling = clients.slice(0, SLOW_LORIS_SOCKETS / 2);
    const head = (i: number) => `POST ${ENDPOINTS[i % 2]!.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(1000)}`;
    try {
      await underWatch(exporter, async () => {
        let offset = 0;
        const trickle = setInterval(() => {
          trickling.forEach((client, i) => client.write(head(i).charAt(offset)));
          offset += 1;
        }, 50);
        try {
          await Promise.race([Promise.all(clients.map((c) => c.closed)), new Promise((r) => setTimeout(r, HEADERS_TIMEOUT_MS + TIMEOUT_SLACK_MS + 2000))]);
        } finally {
          clearInterval(trickle);
        }
      });
      const lifetimes = clients.map((c) => c.lifetimeMs ?? Infinity);
      expect(Math.max(...lifetimes)).toBeLessThan(HEADERS_TIMEOUT_MS + TIMEOUT_SLACK_MS);
      expect(Math.min(...lifetimes)).toBeGreaterThan(HEADERS_TIMEOUT_MS - 100);
      // Node answers 408 before it hangs up. A trickler whose latest bytes were still unread when the
      // server closed gets a TCP reset instead, which can drop the 408 before the client reads it
      // (seen on a loaded machine); it must never see any other answer.
      const silent = clients.slice(SLOW_LORIS_SOCKETS / 2);
      expect(silent.filter((c) => c.status !== 408)).toEqual([]);
      expect(trickling.filter((c) => c.received !== '' && c.status !== 408)).toEqual([]);
    } finally {
      for (const client of clients) client.destroy();
    }
  });

  it('cuts a body trickled a byte at a time at the request timeout (408), on both endpoints', async () => {
    const clients = ENDPOINTS.map((endpoint) => {
      const client = new RawClient(exporter.port);
      client.write(postHead(endpoint, { 'Content-Length': 1000 }));
      return client;
    });
    try {
      await underWatch(exporter, () => Promise.all(clients.map((c) => c.pump(() => ' ', 100, REQUEST_TIMEOUT_MS + TIMEOUT_SLACK_MS + 2000))));
      for (const client of clients) {
        // 408, unless the reset of a close with our latest byte unread dropped it (see slow-loris above).
        if (client.received !== '') expect(client.status).toBe(408);
        expect(client.lifetimeMs).toBeGreaterThan(REQUEST_TIMEOUT_MS - 100);
        expect(client.lifetimeMs).toBeLessThan(REQUEST_TIMEOUT_MS + TIMEOUT_SLACK_MS);
      }
    } finally {
      for (const client of clients) client.destroy();
    }
  });

  it('keeps an idle keep-alive connection past both timeouts, for a scraper that reuses it', async () => {
    const client = new RawClient(exporter.port);
    try {
      client.write('GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      expect(await client.until(() => client.received.includes('Healthy'), 3000)).toBe(true);
      expect(client.received).toMatch(/\r\nKeep-Alive: timeout=65\r\n/i);
      // Idle between requests is not "slow to send a request": neither timeout applies to it.
      await new Promise((r) => setTimeout(r, REQUEST_TIMEOUT_MS + 1000));
      expect(client.closedAt).toBeUndefined();
      client.received = '';
      client.write('GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      expect(await client.until(() => client.received.includes('Healthy'), 3000)).toBe(true);
      expect(client.status).toBe(200);
    } finally {
      client.destroy();
    }
  });

  it('is still up, and counted each cut-off body as invalid (slow-loris heads never reach a handler)', async () => {
    expect(exporter.process.child.exitCode).toBeNull();
    expect(moved(before['ingest']!, await outcomes(exporter, INGEST))).toEqual({ invalid: 1 });
    expect(moved(before['webhook']!, await outcomes(exporter, WEBHOOK))).toEqual({ invalid: 1 });
  });
});

describe('the connection cap', () => {
  const MAX = 8;
  let exporter: RunningExporter;

  beforeAll(async () => {
    exporter = await startHostileExporter([`--web.max-connections=${MAX}`]);
  });
  afterAll(async () => {
    await exporter?.stop();
  });

  it('drops connections over --web.max-connections with one warning, and serves again once some close', async () => {
    // Each holder completes a request first, so it stays as an idle keep-alive connection, not a slow one.
    const holders = Array.from({ length: MAX }, () => new RawClient(exporter.port));
    const extra: RawClient[] = [];
    try {
      for (const holder of holders) {
        holder.write('GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
        expect(await holder.until(() => holder.status === 200, 3000)).toBe(true);
      }
      for (let i = 0; i < 3; i += 1) {
        const client = new RawClient(exporter.port);
        extra.push(client);
        client.write('GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
        expect(await client.until(() => client.closedAt !== undefined, 3000)).toBe(true);
        expect(client.received).toBe('');
      }
      const warnings = exporter.process.output().match(/connection limit reached.*/g) ?? [];
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`max_connections=${MAX}`);
      // The cap does not tell a scraper from an attacker: that is why its default is generous.
      await expect(fetch(`${exporter.url}/metrics`, { signal: AbortSignal.timeout(3000) }).then((r) => r.status)).rejects.toThrow();
    } finally {
      for (const client of [...holders, ...extra]) client.destroy();
    }
    await waitFor('/metrics to be served again', async () => (await fetch(`${exporter.url}/metrics`)).status === 200, 5000);
    expect(exporter.process.child.exitCode).toBeNull();
  });
});
