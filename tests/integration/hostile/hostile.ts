import { connect, type Socket } from 'node:net';
import { alertmanagerFingerprint } from '../../../src/bridge/fingerprint.js';
import { expect } from 'vitest';
import { startExporter, type RunningExporter } from '../../support/exporter.js';
import { parseSamples } from '../../support/exposition.js';

/**
 * The real `ide-monitor serve` with both write endpoints behind tokens, and the client side of hostile
 * HTTP: raw sockets that send exactly the bytes a test names, and a scraper that proves `/metrics` stays
 * served while they do.
 */
export interface Endpoint {
  readonly name: 'ingest' | 'webhook';
  readonly path: string;
  readonly token: string;
  /** The counter that counts this endpoint's answers by `outcome`. */
  readonly counter: string;
  /** The configured body limit (the defaults: ingest.max_body_size 1 MiB, bridge.webhook.max_body 4 MiB). */
  readonly limit: number;
}

export const INGEST: Endpoint = {
  name: 'ingest',
  path: '/api/v1/ingest',
  token: 'ingest-4f1c8e0b9a7d6e5f3c2b1a0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f',
  counter: 'ide_ingest_batches_total',
  limit: 2 ** 20,
};
export const WEBHOOK: Endpoint = {
  name: 'webhook',
  path: '/api/v1/alertmanager/webhook',
  token: 'webhook-0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b',
  counter: 'ide_bridge_webhook_requests_total',
  limit: 4 * 2 ** 20,
};
export const ENDPOINTS = [INGEST, WEBHOOK] as const;

/** Short enough to keep the suite quick; `serve`'s defaults are 10 s and 30 s. */
export const HEADERS_TIMEOUT_MS = 1000;
export const REQUEST_TIMEOUT_MS = 2000;
/** Node checks the timeouts once a second (the server's TIMEOUT_CHECK_INTERVAL_MS), plus scheduling slack. */
export const TIMEOUT_SLACK_MS = 1000 + 1000;
/** A client refused mid-body may send for 1 s more (UNREAD_BODY_LINGER_MS) before the server cuts it. */
export const UNREAD_BODY_CUT_MS = 1000 + 1500;
/** The longest a `/metrics` scrape may take during an attack. */
const SCRAPE_BOUND_MS = 2000;

export function startHostileExporter(args: readonly string[] = []): Promise<RunningExporter> {
  return startExporter({
    args: [`--web.headers-timeout=${HEADERS_TIMEOUT_MS}ms`, `--web.request-timeout=${REQUEST_TIMEOUT_MS}ms`, '--no-collector.hostinfo', ...args],
    env: { IDE_MONITOR_INGEST_TOKEN: INGEST.token, IDE_MONITOR_WEBHOOK_TOKEN: WEBHOOK.token },
  });
}

/** `outcome` → value of an endpoint's counter, read from a live scrape. */
export async function outcomes(exporter: RunningExporter, endpoint: Endpoint): Promise<Record<string, number>> {
  const res = await fetch(`${exporter.url}/metrics`);
  expect(res.status).toBe(200);
  const counts: Record<string, number> = {};
  for (const s of parseSamples(await res.text())) if (s.name === endpoint.counter) counts[s.labels['outcome']!] = s.value;
  return counts;
}

/** How far each outcome moved between two readings (outcomes absent before count from 0). */
export function moved(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [outcome, value] of Object.entries(after)) if (value !== (before[outcome] ?? 0)) delta[outcome] = value - (before[outcome] ?? 0);
  return delta;
}

interface ScrapeRecord {
  readonly scrapes: number;
  readonly maxMs: number;
  readonly failures: readonly string[];
}

/**
 * Scrapes `/metrics` back to back, the way Prometheus would if it were impatient, until stopped; every
 * answer must be a 200 within SCRAPE_BOUND_MS.
 */
function watchMetrics(exporter: RunningExporter): { stop(): Promise<ScrapeRecord> } {
  let running = true;
  let scrapes = 0;
  let maxMs = 0;
  const failures: string[] = [];
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const res = await fetch(`${exporter.url}/metrics`, { signal: AbortSignal.timeout(SCRAPE_BOUND_MS * 2) });
        await res.arrayBuffer();
        if (res.status !== 200) failures.push(`status ${res.status}`);
      } catch (error) {
        failures.push(String(error));
      }
      const ms = performance.now() - started;
      maxMs = Math.max(maxMs, ms);
      scrapes += 1;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { scrapes, maxMs, failures };
    },
  };
}

/** Runs `attack` while `/metrics` is scraped, and asserts every scrape answered 200 in time. */
export async function underWatch<T>(exporter: RunningExporter, attack: () => Promise<T>): Promise<T> {
  const watch = watchMetrics(exporter);
  let result: T;
  try {
    result = await attack();
  } finally {
    const record = await watch.stop();
    expect(record.failures).toEqual([]);
    expect(record.scrapes).toBeGreaterThan(0);
    expect(record.maxMs).toBeLessThan(SCRAPE_BOUND_MS);
  }
  return result;
}

/** A raw connection: what the server sent, when it closed, and how many body bytes we had written. */
export class RawClient {
  readonly socket: Socket;
  readonly opened = performance.now();
  received = '';
  /** Bytes written when the first byte of an answer arrived. */
  sentAtAnswer: number | undefined;
  sent = 0;
  closedAt: number | undefined;
  readonly closed: Promise<void>;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('data', (d: Buffer) => {
      this.sentAtAnswer ??= this.sent;
      this.received += d.toString('latin1');
    });
    // The server cutting us off mid-send is what several tests expect; its reset is not a failure.
    this.socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      this.socket.on('close', () => {
        this.closedAt = performance.now();
        resolve();
      }),
    );
  }

  write(data: string | Buffer): boolean {
    if (this.socket.destroyed) return false;
    this.sent += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    return this.socket.write(data);
  }

  /** Milliseconds from connect to the server closing, or undefined while open. */
  get lifetimeMs(): number | undefined {
    return this.closedAt === undefined ? undefined : this.closedAt - this.opened;
  }

  /** The status line's code, once an answer began. */
  get status(): number | undefined {
    const match = /^HTTP\/1\.1 (\d{3}) /.exec(this.received);
    return match === null ? undefined : Number(match[1]);
  }

  /** Waits until `probe` holds or the deadline passes; bounded. */
  async until(probe: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!probe() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return probe();
  }

  /** Writes `chunk` every `everyMs` until the server closes the connection or `timeoutMs` passes. */
  async pump(chunk: () => Buffer | string, everyMs: number, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.closedAt === undefined && performance.now() < deadline) {
      if (!this.write(chunk())) await Promise.race([new Promise((r) => this.socket.once('drain', r)), this.closed]);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Request head for a write endpoint, with its token unless `headers` overrides Authorization. */
export function postHead(endpoint: Endpoint, headers: Record<string, string | number> = {}): string {
  const all: Record<string, string | number> = { Host: '127.0.0.1', Authorization: `Bearer ${endpoint.token}`, 'Content-Type': 'application/json', ...headers };
  const lines = Object.entries(all).map(([name, value]) => `${name}: ${value}`);
  return `POST ${endpoint.path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** One HTTP/1.1 chunk. */
export function chunk(data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]);
}

/** A request body each endpoint accepts: one observation, or one firing alert. */
export function validBody(endpoint: Endpoint): unknown {
  if (endpoint.name === 'ingest') return { version: 1, observations: [{ kind: 'cache', cache: 'symbols', result: 'hit' }] };
  const labels = { alertname: 'HostileHttpTest', severity: 'low' };
  return {
    version: '4',
    groupKey: '{}:{alertname="HostileHttpTest"}',
    status: 'firing',
    receiver: 'ide-monitor',
    groupLabels: labels,
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: [
      {
        status: 'firing',
        labels,
        annotations: {},
        startsAt: '2026-01-01T00:00:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: '',
        fingerprint: alertmanagerFingerprint(labels),
      },
    ],
  };
}

/** A POST with the endpoint's token; `headers` may override or drop (undefined) any header. */
export async function post(
  exporter: RunningExporter,
  endpoint: Endpoint,
  body: string | Uint8Array,
  headers: Record<string, string | undefined> = {},
): Promise<Response> {
  const all: Record<string, string | undefined> = { authorization: `Bearer ${endpoint.token}`, 'content-type': 'application/json', ...headers };
  const sent = Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
  return fetch(`${exporter.url}${endpoint.path}`, { method: 'POST', headers: sent, body });
}

/** The `error` reason of a JSON answer. */
export async function reason(res: Response): Promise<string> {
  const body = (await res.json()) as { error?: unknown };
  expect(typeof body.error).toBe('string');
  return body.error as string;
}
