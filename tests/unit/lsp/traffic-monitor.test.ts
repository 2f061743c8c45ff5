import { describe, expect, it } from 'vitest';
import type { ObservationInput } from '../../../src/ingest/schema.js';
import { DiagnosticsTracker } from '../../../src/lsp/diagnostics.js';
import { PendingRequests } from '../../../src/lsp/pending-requests.js';
import { TrafficMonitor } from '../../../src/lsp/traffic-monitor.js';

const frame = (message: unknown) => {
  const body = Buffer.from(typeof message === 'string' ? message : JSON.stringify(message), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
};

/** A monitor on a fake clock: `at(ms)` moves time; observations land in `recorded`. */
function setup() {
  let clock = 0;
  const recorded: ObservationInput[] = [];
  const warnings: string[] = [];
  const monitor = new TrafficMonitor({ server: 'test', record: (o) => recorded.push(o), now: () => clock, logger: { warn: (m) => warnings.push(m) } });
  const c2s = (m: unknown) => monitor.feed('client_to_server', frame(m));
  const s2c = (m: unknown) => monitor.feed('server_to_client', frame(m));
  return { monitor, recorded, warnings, c2s, s2c, at: (ms: number) => (clock = ms) };
}

describe('TrafficMonitor request pairing', () => {
  it('pairs per direction: the same id on both sides are two requests', () => {
    const { recorded, c2s, s2c, at } = setup();
    c2s({ jsonrpc: '2.0', id: 0, method: 'textDocument/hover' });
    at(5);
    s2c({ jsonrpc: '2.0', id: 0, method: 'workspace/configuration', params: { items: [] } });
    at(7);
    c2s({ jsonrpc: '2.0', id: 0, result: [{}] }); // the client answers the server's request 0
    at(12);
    s2c({ jsonrpc: '2.0', id: 0, result: { contents: 'x' } }); // the server answers the client's request 0
    expect(recorded).toEqual([
      { kind: 'lsp_request', server: 'test', method: 'workspace/configuration', direction: 'server_to_client', outcome: 'ok', duration_seconds: 0.002 },
      { kind: 'lsp_request', server: 'test', method: 'textDocument/hover', direction: 'client_to_server', outcome: 'ok', duration_seconds: 0.012 },
    ]);
  });

  it('tells the number 1 from the string "1"', () => {
    const { recorded, c2s, s2c, monitor } = setup();
    c2s({ jsonrpc: '2.0', id: 1, method: 'textDocument/hover' });
    c2s({ jsonrpc: '2.0', id: '1', method: 'textDocument/definition' });
    expect(monitor.pending.inFlight('client_to_server')).toBe(2);
    s2c({ jsonrpc: '2.0', id: '1', result: null });
    expect(recorded.map((o) => (o as { method: string }).method)).toEqual(['textDocument/definition']);
    s2c({ id: 1, result: null, jsonrpc: '2.0' }); // id after result
    expect(recorded.map((o) => (o as { method: string }).method)).toEqual(['textDocument/definition', 'textDocument/hover']);
    expect(monitor.pending.inFlight('client_to_server')).toBe(0);
  });

  it('counts a request cancelled by $/cancelRequest as cancelled whatever the answer, and -32800 as cancelled', () => {
    const { recorded, c2s, s2c } = setup();
    c2s({ jsonrpc: '2.0', id: 3, method: 'textDocument/completion' });
    c2s({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 3 } });
    s2c({ jsonrpc: '2.0', id: 3, result: { items: [] } }); // tsserver answers normally
    c2s({ jsonrpc: '2.0', id: 4, method: 'textDocument/hover' });
    s2c({ jsonrpc: '2.0', id: 4, error: { code: -32800, message: 'cancelled' } });
    expect(recorded).toMatchObject([
      { method: 'textDocument/completion', outcome: 'cancelled' },
      { method: 'textDocument/hover', outcome: 'cancelled', error_code: -32800 },
    ]);
    expect(recorded[0]).not.toHaveProperty('error_code');
  });

  it('records errors with their code, counts notifications by method and direction, and bytes', () => {
    const { recorded, c2s, s2c, monitor } = setup();
    c2s({ jsonrpc: '2.0', id: 9, method: 'textDocument/definition' });
    s2c({ jsonrpc: '2.0', id: 9, error: { code: -32603, message: 'boom' } });
    c2s({ jsonrpc: '2.0', method: 'textDocument/didChange', params: {} });
    c2s({ jsonrpc: '2.0', method: 'textDocument/didChange', params: {} });
    s2c({ jsonrpc: '2.0', method: 'window/logMessage', params: { type: 3, message: 'hi' } });
    expect(recorded).toMatchObject([{ method: 'textDocument/definition', outcome: 'error', error_code: -32603 }]);
    const drained = monitor.drainAggregates();
    expect(drained).toContainEqual({ kind: 'lsp_notification', server: 'test', direction: 'client_to_server', method: 'textDocument/didChange', count: 2 });
    expect(drained).toContainEqual({ kind: 'lsp_notification', server: 'test', direction: 'server_to_client', method: 'window/logMessage', count: 1 });
    const sent = (...messages: unknown[]) => messages.reduce<number>((n, m) => n + frame(m).length, 0);
    const didChange = { jsonrpc: '2.0', method: 'textDocument/didChange', params: {} };
    expect(drained.filter((o) => o.kind === 'lsp_bytes')).toEqual([
      {
        kind: 'lsp_bytes',
        server: 'test',
        direction: 'client_to_server',
        bytes: sent({ jsonrpc: '2.0', id: 9, method: 'textDocument/definition' }, didChange, didChange),
      },
      {
        kind: 'lsp_bytes',
        server: 'test',
        direction: 'server_to_client',
        bytes: sent(
          { jsonrpc: '2.0', id: 9, error: { code: -32603, message: 'boom' } },
          { jsonrpc: '2.0', method: 'window/logMessage', params: { type: 3, message: 'hi' } },
        ),
      },
    ]);
    expect(monitor.drainAggregates()).toEqual([]); // deltas, not totals
  });

  it('keeps going on a body that is not JSON, and counts it', () => {
    const { recorded, c2s, s2c, monitor, warnings } = setup();
    c2s('this is {not json');
    c2s({ jsonrpc: '2.0', id: 1, method: 'x' });
    s2c({ jsonrpc: '2.0', id: 1, result: 1 });
    expect(monitor.stats.malformed.client_to_server).toBe(1);
    expect(recorded).toHaveLength(1);
    expect(warnings[0]).toMatch(/17-byte message client_to_server is not JSON/);
  });

  it('folds method names outside the LSP specification into "other", as the exporter does', () => {
    const { recorded, c2s, s2c, monitor } = setup();
    c2s({ jsonrpc: '2.0', id: 1, method: 'm'.repeat(5000) });
    s2c({ jsonrpc: '2.0', id: 1, result: 1 });
    for (let i = 0; i < 3000; i++) c2s({ jsonrpc: '2.0', method: `fuzz/${i}` });
    c2s({ jsonrpc: '2.0', method: '' });
    c2s({ jsonrpc: '2.0', method: 'textDocument/didSave' });
    expect((recorded[0] as { method: string }).method).toBe('other');
    const notifications = monitor.drainAggregates().filter((o) => o.kind === 'lsp_notification');
    expect(notifications).toEqual([
      { kind: 'lsp_notification', server: 'test', direction: 'client_to_server', method: 'other', count: 3001 },
      { kind: 'lsp_notification', server: 'test', direction: 'client_to_server', method: 'textDocument/didSave', count: 1 },
    ]);
  });

  it('pairs a response larger than the inspection limit from its head (a 20 MB documentSymbol answer)', () => {
    const { recorded, c2s, monitor } = setup();
    c2s({ jsonrpc: '2.0', id: 9, method: 'textDocument/documentSymbol', params: { textDocument: { uri: 'file:///big.css' } } });
    const result = Array.from({ length: 200_000 }, (_, i) => ({
      name: `.rule-${i}`,
      kind: 5,
      range: { start: { line: i, character: 0 }, end: { line: i, character: 80 } },
    }));
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 9, result }));
    expect(body.length).toBeGreaterThan(16 * 1024 * 1024);
    const framed = Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
    for (let at = 0; at < framed.length; at += 65_536) monitor.feed('server_to_client', framed.subarray(at, at + 65_536));
    expect(recorded).toEqual([expect.objectContaining({ kind: 'lsp_request', method: 'textDocument/documentSymbol', outcome: 'ok' })]);
    expect(monitor.pending.inFlight('client_to_server')).toBe(0);
    expect(monitor.stats.uninspected).toBe(1);
  });

  it('tracks diagnostics from publishDiagnostics and didClose into lsp_state', () => {
    const { c2s, s2c, monitor } = setup();
    const publish = (uri: string, severities: (number | undefined)[]) =>
      s2c({
        jsonrpc: '2.0',
        method: 'textDocument/publishDiagnostics',
        params: { uri, diagnostics: severities.map((severity) => ({ severity, message: 'm', range: {} })) },
      });
    publish('file:///a.ts', [1, 1, 2]);
    publish('file:///b.ts', [3, 4, undefined]);
    expect(monitor.state(true)).toMatchObject({ kind: 'lsp_state', up: true, diagnostics: { error: 3, warning: 1, information: 1, hint: 1 } });
    publish('file:///a.ts', [2]); // replaces a.ts's set
    expect(monitor.state(true)).toMatchObject({ diagnostics: { error: 1, warning: 1, information: 1, hint: 1 } });
    c2s({ jsonrpc: '2.0', method: 'textDocument/didClose', params: { textDocument: { uri: 'file:///b.ts' } } });
    expect(monitor.state(true)).toMatchObject({ diagnostics: { error: 0, warning: 1, information: 0, hint: 0 } });
    publish('file:///a.ts', []); // an empty publish clears
    expect(monitor.state(true)).toMatchObject({ diagnostics: { error: 0, warning: 0, information: 0, hint: 0 } });
  });

  it('reports in-flight requests per direction', () => {
    const { c2s, s2c, monitor } = setup();
    c2s({ jsonrpc: '2.0', id: 1, method: 'a' });
    c2s({ jsonrpc: '2.0', id: 2, method: 'a' });
    s2c({ jsonrpc: '2.0', id: 'x', method: 'client/registerCapability' });
    expect(monitor.state(true)).toMatchObject({ in_flight: { client_to_server: 2, server_to_client: 1 } });
    monitor.serverGone();
    expect(monitor.state(false)).toMatchObject({ up: false, in_flight: { client_to_server: 0, server_to_client: 0 } });
  });
});

describe('PendingRequests', () => {
  it('forgets the oldest when full, and a reused id replaces the pending one', () => {
    const p = new PendingRequests(2);
    p.start('client_to_server', 1, 'a', 0);
    p.start('client_to_server', 2, 'b', 0);
    p.start('client_to_server', 3, 'c', 0);
    expect(p.complete('server_to_client', 1, 1)).toBeUndefined();
    expect(p.complete('server_to_client', 3, 1)?.method).toBe('c');
    p.start('client_to_server', 2, 'd', 0);
    expect(p.complete('server_to_client', 2, 1)?.method).toBe('d');
    expect(p.abandoned).toBe(2);
  });
});

describe('DiagnosticsTracker', () => {
  it('counts unknown severities as errors', () => {
    const d = new DiagnosticsTracker();
    d.publish('u', [0, 5, 'x', null, 2.5, 4]);
    expect(d.totals()).toEqual({ error: 5, warning: 0, information: 0, hint: 1 });
    d.close('u');
    expect(d.totals()).toEqual({ error: 0, warning: 0, information: 0, hint: 0 });
    expect(d.documents()).toBe(0);
  });
});
