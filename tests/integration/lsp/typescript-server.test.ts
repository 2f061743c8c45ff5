import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startExporter, type RunningExporter } from '../../support/exporter.js';
import { parseSamples, type ParsedSample } from '../../support/exposition.js';
import { waitFor } from '../../support/ports.mjs';
import { endSession, runSession, SENT, startClient, TSLS, type LspClient, type SessionResults } from './support/lsp-session.js';

// One real typescript-language-server per mode (direct, proxied): tsserver takes seconds to start.
describe('lsp-proxy in front of typescript-language-server, reporting to ide-monitor serve', () => {
  let exporter: RunningExporter;
  let direct: SessionResults;
  let proxied: SessionResults;
  let proxiedClient: LspClient;
  let serverRequests: Map<string, number>;
  let directExit: number | null;
  let proxyExit: number | null;
  let liveState: ParsedSample[] = [];

  const scrape = async () => parseSamples(await (await fetch(`${exporter.url}/metrics`)).text());
  const lsp = (samples: readonly ParsedSample[], name: string) => samples.filter((s) => s.name === name && s.labels['server'] === 'typescript');

  beforeAll(async () => {
    if (!existsSync(TSLS)) throw new Error(`${TSLS} is missing: npm install`);
    exporter = await startExporter();
    // Direct and proxied side by side: the comparison is of results, not timings, and it halves the wait.
    const a = startClient(TSLS, ['--stdio']);
    proxiedClient = startClient(process.execPath, [CLI, 'lsp-proxy', '--server-name', 'typescript', '--exporter', exporter.url, '--', TSLS, '--stdio']);
    [direct, proxied] = await Promise.all([runSession(a), runSession(proxiedClient)]);
    directExit = await endSession(a);
    serverRequests = new Map(proxiedClient.serverRequests);
    // Live state before shutdown: up, and every answered request has left the in-flight gauge.
    await waitFor(
      'the live state',
      async () => {
        liveState = await scrape();
        const inFlight = lsp(liveState, 'ide_lsp_requests_in_flight').find((x) => x.labels['direction'] === 'client_to_server');
        return lsp(liveState, 'ide_lsp_server_up').some((x) => x.value === 1) && inFlight?.value === 0;
      },
      10_000,
      200,
    );
    proxyExit = await endSession(proxiedClient);
  }, 120_000);

  afterAll(async () => {
    proxiedClient?.child.kill('SIGKILL');
    await exporter?.stop();
  });

  it('returns exactly what the server returns directly', () => {
    expect(proxied).toEqual(direct);
    expect(direct.hover).not.toBeNull();
    expect(direct.references?.length).toBeGreaterThanOrEqual(1);
    expect(direct.globalCompletion?.items.length).toBeGreaterThan(100);
    expect(directExit).toBe(0);
    expect(proxyExit).toBe(0);
    expect(proxiedClient.stderr()).not.toMatch(/lsp-proxy/);
  });

  it('counts every request per method and outcome in ide_lsp_request_duration_seconds', async () => {
    await waitFor('the exit to be reported', async () => lsp(await scrape(), 'ide_lsp_server_exits_total').length > 0, 10_000, 200);
    const samples = await scrape();
    const counts = new Map<string, number>();
    for (const s of lsp(samples, 'ide_lsp_request_duration_seconds_count')) counts.set(`${s.labels['method']} ${s.labels['outcome']}`, s.value);
    const expected = new Map<string, number>();
    for (const [method, outcomes] of Object.entries(SENT)) for (const [outcome, n] of Object.entries(outcomes)) expected.set(`${method} ${outcome}`, n);
    // Requests the server sent the client (answered with success by our client) count too.
    for (const [method, n] of serverRequests) expected.set(`${method} ok`, (expected.get(`${method} ok`) ?? 0) + n);
    if (proxied.cancelled === 'no answer') expected.delete('textDocument/completion cancelled');
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(expected));
  });

  it('reports bytes, notifications, server start/exit, diagnostics and no drops', async () => {
    const samples = await scrape();
    const value = (name: string, labels: Record<string, string> = {}) =>
      lsp(samples, name)
        .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((sum, s) => sum + s.value, 0);
    // At least every result the client got, as the compact JSON the server writes: a bound taken from this
    // run's answers, since tsserver trims auto-import completions under CPU load (fixed sizes made it flaky).
    const answered = Object.values(proxied).reduce((sum: number, r) => sum + Buffer.byteLength(JSON.stringify(r) ?? ''), 0);
    expect(answered).toBeGreaterThan(10_000);
    expect(value('ide_lsp_message_bytes_total', { direction: 'server_to_client' })).toBeGreaterThanOrEqual(answered);
    expect(value('ide_lsp_message_bytes_total', { direction: 'client_to_server' })).toBeGreaterThan(1_000);
    expect(value('ide_lsp_notifications_total', { method: 'textDocument/didOpen', direction: 'client_to_server' })).toBe(3);
    expect(value('ide_lsp_notifications_total', { method: 'initialized', direction: 'client_to_server' })).toBe(1);
    expect(value('ide_lsp_notifications_total', { method: '$/cancelRequest', direction: 'client_to_server' })).toBe(1);
    expect(value('ide_lsp_server_starts_total')).toBe(1);
    expect(value('ide_lsp_server_exits_total', { code: '0' })).toBe(1);
    expect(value('ide_lsp_server_up')).toBe(0);
    expect(value('ide_lsp_proxy_observations_dropped_total')).toBe(0);
    expect(
      lsp(liveState, 'ide_lsp_requests_in_flight')
        .map((x) => [x.labels['direction'], x.value])
        .sort(),
    ).toEqual([
      ['client_to_server', 0],
      ['server_to_client', 0],
    ]);
    expect(proxied.cancelled).toBe('result'); // tsserver answers a cancelled request normally; it still counts as cancelled
  });
});
