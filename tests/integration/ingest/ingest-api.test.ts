import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, type RunningExporter } from '../../support/exporter.js';
import { parseSamples, type ParsedSample } from '../../support/exposition.js';
import { waitFor } from '../../support/ports.mjs';

const PATH = '/api/v1/ingest';
/** The alert bridge keeps a SQLite outbox in ./data; these tests are about ingestion only. */
const NO_BRIDGE = '--no-bridge.enabled';
const JSON_TYPE = { 'content-type': 'application/json' };

async function post(exporter: RunningExporter, body: unknown, headers: Record<string, string> = JSON_TYPE): Promise<Response> {
  return fetch(`${exporter.url}${PATH}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

async function scrape(exporter: RunningExporter): Promise<ParsedSample[]> {
  const res = await fetch(`${exporter.url}/metrics`);
  expect(res.status).toBe(200);
  return parseSamples(await res.text());
}

/** The value of the one sample with exactly these labels, or undefined. */
function value(samples: readonly ParsedSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  return samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === wanted)?.value;
}

const state = (server: string, up: boolean, c2s: number) => ({
  kind: 'lsp_state',
  server,
  up,
  in_flight: { client_to_server: c2s, server_to_client: 0 },
  diagnostics: { error: 2, warning: 1, information: 0, hint: 0 },
});

describe('POST /api/v1/ingest on the real `ide-monitor serve`', () => {
  let exporter: RunningExporter;

  beforeAll(async () => {
    exporter = await startExporter({
      args: [NO_BRIDGE, '--ingest.max-label-values=50', '--ingest.max-body-size=256KiB', '--ingest.instance-stale-after=1s', '--ingest.server-retention=2s'],
    });
  });
  afterAll(async () => {
    await exporter?.stop();
  });

  it('turns a batch into exact samples on /metrics', async () => {
    const res = await post(exporter, {
      version: 1,
      instance: 'lsp-proxy:test:1',
      observations: [
        { kind: 'lsp_server', server: 'tsserver', event: 'start' },
        { kind: 'lsp_request', server: 'tsserver', method: 'textDocument/hover', outcome: 'ok', duration_seconds: 0.003 },
        { kind: 'lsp_request', server: 'tsserver', method: 'textDocument/hover', outcome: 'ok', duration_seconds: 0.2 },
        { kind: 'lsp_request', server: 'tsserver', method: 'tsserver/custom', outcome: 'error', duration_seconds: 0.01, error_code: -32603 },
        { kind: 'lsp_notification', server: 'tsserver', method: 'textDocument/didChange', direction: 'client_to_server', count: 3 },
        { kind: 'lsp_bytes', server: 'tsserver', direction: 'server_to_client', bytes: 4096 },
        { kind: 'lsp_dropped', server: 'tsserver', count: 2 },
        { kind: 'operation', operation: 'ui_refresh', duration_seconds: 0.04 },
        { kind: 'cache', cache: 'symbols', result: 'miss', count: 5 },
        state('tsserver', true, 4),
      ],
    });
    expect(res.status).toBe(204);
    const s = await scrape(exporter);
    const hover = { server: 'tsserver', method: 'textDocument/hover', outcome: 'ok' };
    expect(value(s, 'ide_lsp_request_duration_seconds_count', hover)).toBe(2);
    expect(value(s, 'ide_lsp_request_duration_seconds_sum', hover)).toBe(0.203);
    expect(value(s, 'ide_lsp_request_duration_seconds_bucket', { ...hover, le: '0.005' })).toBe(1);
    expect(value(s, 'ide_lsp_request_duration_seconds_bucket', { ...hover, le: '0.25' })).toBe(2);
    expect(value(s, 'ide_lsp_request_errors_total', { server: 'tsserver', method: 'other', code: '-32603' })).toBe(1);
    expect(value(s, 'ide_lsp_notifications_total', { server: 'tsserver', method: 'textDocument/didChange', direction: 'client_to_server' })).toBe(3);
    expect(value(s, 'ide_lsp_message_bytes_total', { server: 'tsserver', direction: 'server_to_client' })).toBe(4096);
    expect(value(s, 'ide_lsp_proxy_observations_dropped_total', { server: 'tsserver' })).toBe(2);
    expect(value(s, 'ide_lsp_server_starts_total', { server: 'tsserver' })).toBe(1);
    expect(value(s, 'ide_lsp_server_up', { server: 'tsserver' })).toBe(1);
    expect(value(s, 'ide_lsp_requests_in_flight', { server: 'tsserver', direction: 'client_to_server' })).toBe(4);
    expect(value(s, 'ide_lsp_diagnostics', { server: 'tsserver', severity: 'error' })).toBe(2);
    expect(value(s, 'ide_app_operation_duration_seconds_count', { operation: 'ui_refresh', outcome: 'ok' })).toBe(1);
    expect(value(s, 'ide_app_cache_requests_total', { cache: 'symbols', result: 'miss' })).toBe(5);
    expect(value(s, 'ide_ingest_observations_total', { kind: 'lsp_request' })).toBe(3);
    expect(value(s, 'ide_ingest_label_overflow_total', { metric: 'ide_lsp_request_duration_seconds' })).toBe(1);
    expect(value(s, 'ide_ingest_batches_total', { outcome: 'accepted' })).toBe(1);
  });

  it('answers 400, 415, 413 and 405 with reasons, and counts each outcome', async () => {
    const bad = await post(exporter, { version: 1, observations: [{ kind: 'cache', cache: 'c', result: 'stale' }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^invalid batch: observations\.0\.result: /);
    expect((await post(exporter, '{"version":1,', JSON_TYPE)).status).toBe(400);
    expect((await post(exporter, 'version=1', { 'content-type': 'text/plain' })).status).toBe(415);
    const huge = { version: 1, observations: Array.from({ length: 8000 }, () => ({ kind: 'cache', cache: 'symbols', result: 'hit' })) };
    expect((await post(exporter, huge)).status).toBe(413);
    const get = await fetch(`${exporter.url}${PATH}`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const s = await scrape(exporter);
    expect(value(s, 'ide_ingest_batches_total', { outcome: 'invalid' })).toBe(3);
    expect(value(s, 'ide_ingest_batches_total', { outcome: 'too_large' })).toBe(1);
    expect(value(s, 'ide_ingest_batches_total', { outcome: 'unauthorized' })).toBe(0);
  });

  it('expires a silent instance at scrape time and keeps server_up 0 for the retention', async () => {
    expect((await post(exporter, { version: 1, instance: 'lsp-proxy:test:2', observations: [state('gopls', true, 3)] })).status).toBe(204);
    expect(value(await scrape(exporter), 'ide_lsp_requests_in_flight', { server: 'gopls', direction: 'client_to_server' })).toBe(3);
    await new Promise((r) => setTimeout(r, 1300));
    let s = await scrape(exporter);
    expect(value(s, 'ide_lsp_server_up', { server: 'gopls' })).toBe(0);
    expect(value(s, 'ide_lsp_requests_in_flight', { server: 'gopls', direction: 'client_to_server' })).toBeUndefined();
    expect(value(s, 'ide_lsp_diagnostics', { server: 'gopls', severity: 'error' })).toBeUndefined();
    await new Promise((r) => setTimeout(r, 2200));
    s = await scrape(exporter);
    expect(value(s, 'ide_lsp_server_up', { server: 'gopls' })).toBeUndefined();
  });

  it('stays bounded under a flood of 10,000 distinct operation and server names', async () => {
    const before = (await scrape(exporter)).length;
    for (let start = 0; start < 10_000; start += 2000) {
      const operations = Array.from({ length: 2000 }, (_, i) => ({ kind: 'operation', operation: `op-${start + i}`, duration_seconds: 0.001 }));
      const servers = Array.from({ length: 2000 }, (_, i) => ({ kind: 'lsp_bytes', server: `srv-${start + i}`, direction: 'client_to_server', bytes: 1 }));
      expect((await post(exporter, { version: 1, observations: operations })).status).toBe(204);
      expect((await post(exporter, { version: 1, observations: servers })).status).toBe(204);
    }
    const s = await scrape(exporter);
    const operations = new Set(s.filter((x) => x.name === 'ide_app_operation_duration_seconds_count').map((x) => x.labels.operation));
    expect(operations.size).toBe(51);
    expect(operations.has('other')).toBe(true);
    const opCounts = s.filter((x) => x.name === 'ide_app_operation_duration_seconds_count' && x.labels.operation !== 'ui_refresh');
    expect(opCounts.reduce((n, x) => n + x.value, 0)).toBe(10_000);
    // 50 server slots: tsserver and gopls took two before the flood; tsserver, 48 flooders and other carry bytes.
    const servers = new Set(s.filter((x) => x.name === 'ide_lsp_message_bytes_total').map((x) => x.labels.server));
    expect(servers.size).toBe(50);
    expect(value(s, 'ide_ingest_label_overflow_total', { metric: 'ide_app_operation_duration_seconds' })).toBe(10_000 - 49);
    expect(value(s, 'ide_ingest_label_overflow_total', { metric: 'ide_lsp_message_bytes_total' })).toBe(10_000 - 48);
    // Each admitted operation adds 16 series (13 buckets, +Inf, sum, count); nothing else grows.
    expect(s.length - before).toBeLessThan(50 * 16 + 49 + 40);
  });
});

describe('POST /api/v1/ingest with a token from the environment', () => {
  let exporter: RunningExporter;

  beforeAll(async () => {
    exporter = await startExporter({ args: [NO_BRIDGE], env: { IDE_MONITOR_INGEST_TOKEN: 'integration-secret' } });
  });
  afterAll(async () => {
    await exporter?.stop();
  });

  it('answers 401 without the token, even from loopback, and 204 with it', async () => {
    const batch = { version: 1, observations: [{ kind: 'cache', cache: 'symbols', result: 'hit' }] };
    const none = await post(exporter, batch);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect((await post(exporter, batch, { ...JSON_TYPE, authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(exporter, batch, { ...JSON_TYPE, authorization: 'Bearer integration-secret' })).status).toBe(204);
    const s = await scrape(exporter);
    expect(value(s, 'ide_ingest_batches_total', { outcome: 'unauthorized' })).toBe(2);
    expect(value(s, 'ide_ingest_batches_total', { outcome: 'accepted' })).toBe(1);
    expect(value(s, 'ide_app_cache_requests_total', { cache: 'symbols', result: 'hit' })).toBe(1);
    expect(exporter.process.output()).not.toContain('integration-secret');
  });
});

describe('the ingest token across a reload', () => {
  it('accepts only the token in the file after the file is rotated and serve gets SIGHUP', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ingest-token-'));
    const tokenFile = path.join(dir, 'token');
    writeFileSync(tokenFile, 'first-ingest-token\n', { mode: 0o600 });
    const configFile = path.join(dir, 'config.yml');
    writeFileSync(configFile, `ingest: { token_file: ${tokenFile} }\n`);
    const exporter = await startExporter({ args: [NO_BRIDGE, '--no-status.enabled', `--config.file=${configFile}`] });
    const batch = { version: 1, observations: [{ kind: 'cache', cache: 'symbols', result: 'hit' }] };
    const withToken = (token: string) => post(exporter, batch, { ...JSON_TYPE, authorization: `Bearer ${token}` });
    try {
      expect((await withToken('first-ingest-token')).status).toBe(204);
      writeFileSync(tokenFile, 'second-ingest-token\n');
      exporter.process.child.kill('SIGHUP');
      await waitFor('the reload', async () => exporter.process.output().includes('msg="configuration reloaded" trigger=SIGHUP'));
      expect((await withToken('first-ingest-token')).status).toBe(401);
      expect((await withToken('second-ingest-token')).status).toBe(204);
    } finally {
      expect(await exporter.stop()).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
