import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../support/ports.mjs';
import { Teardown } from '../../support/teardown.js';
import { ECHO_SERVER, frame, MISBEHAVING_SERVER, RawProxy } from './support/raw-proxy.js';
import { startIngestSink, type IngestSink } from './support/ingest-sink.js';

const teardown = new Teardown();
afterEach(() => teardown.run());

function proxy(args: readonly string[], server = [process.execPath, ECHO_SERVER]): RawProxy {
  const p = new RawProxy(args, server);
  teardown.add(() => p.kill());
  return p;
}

async function sink(port?: number): Promise<IngestSink> {
  const s = await startIngestSink(port);
  teardown.add(() => s.close());
  return s;
}

const kinds = (s: IngestSink, kind: string) => s.observations().filter((o) => o['kind'] === kind);

/** Inodes of the listening TCP and Unix sockets among `pid`'s open descriptors (from /proc, no lsof). */
function listeningSockets(pid: number): string[] {
  const mine = new Set(
    readdirSync(`/proc/${pid}/fd`)
      .map((fd) => {
        try {
          return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        } catch {
          return undefined; // closed while we looked
        }
      })
      .filter((inode) => inode !== undefined),
  );
  const listening: string[] = [];
  for (const table of ['tcp', 'tcp6']) {
    // Columns: sl local rem st … inode (10th); st 0A is LISTEN.
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A' && cols[9] !== undefined && mine.has(cols[9])) listening.push(`${table} ${cols[1]}`);
    }
  }
  // Columns: Num RefCount Protocol Flags Type St Inode Path; flags 00010000 is __SO_ACCEPTCON (listening).
  for (const line of readFileSync(`/proc/${pid}/net/unix`, 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols[3] === '00010000' && cols[6] !== undefined && mine.has(cols[6])) listening.push(`unix ${cols[7] ?? ''}`);
  }
  return listening;
}

describe('lsp-proxy with the echo server', () => {
  it('listens on nothing: it is only a client of the exporter (SECURITY.md)', async () => {
    const s = await sink();
    const p = proxy(['--server-name', 'echo', '--exporter', s.url]);
    expect(await p.request(0, 'initialize', { capabilities: {} })).toMatchObject({ result: { serverInfo: { name: 'echo-server' } } });
    // After a report has gone out, so the reporter's client sockets exist too.
    await waitFor('a report at the sink', () => s.observations().length > 0, 10_000);
    expect(listeningSockets(p.child.pid!)).toEqual([]);
    // The check sees listeners: the sink in this process has one.
    expect(listeningSockets(process.pid).length).toBeGreaterThan(0);
  });

  it('relays and reports a session: requests both ways with colliding ids, errors, notifications, bytes, start/exit', async () => {
    const s = await sink();
    const p = proxy(['--server-name', 'echo', '--exporter', s.url]);
    expect(await p.request(0, 'initialize', { capabilities: {} })).toMatchObject({ result: { serverInfo: { name: 'echo-server' } } });
    expect(await p.request(1, 'echo/ask')).toMatchObject({ result: 'asked' });
    const ask = await p.waitFor((m) => m.json?.['method'] === 'workspace/configuration');
    expect(ask.json?.['id']).toBe(0); // the same id as our initialize: another id space
    p.send({ jsonrpc: '2.0', id: 0, result: [] });
    expect(await p.request('2', 'echo/error', { code: -32001, message: 'nope' })).toMatchObject({ error: { code: -32001 } });
    p.send({ jsonrpc: '2.0', method: 'echo/notify', params: { n: 1 } });
    await p.waitFor((m) => m.json?.['method'] === 'echo/notify');
    expect(await p.request(3, 'shutdown')).toMatchObject({ result: null });
    p.send({ jsonrpc: '2.0', method: 'exit' });
    expect(await p.exited).toBe(0);

    const requests = kinds(s, 'lsp_request').map((o) => [o['method'], o['direction'], o['outcome'], o['error_code']]);
    expect(requests).toEqual([
      ['initialize', 'client_to_server', 'ok', undefined],
      // Methods outside the specification are folded by the proxy, as the exporter folds them.
      ['other', 'client_to_server', 'ok', undefined],
      ['workspace/configuration', 'server_to_client', 'ok', undefined],
      ['other', 'client_to_server', 'error', -32001],
      ['shutdown', 'client_to_server', 'ok', undefined],
    ]);
    for (const o of kinds(s, 'lsp_request')) expect(o['server']).toBe('echo');
    const notes = new Map<string, number>();
    for (const o of kinds(s, 'lsp_notification')) {
      const key = `${String(o['direction'])} ${String(o['method'])}`;
      notes.set(key, (notes.get(key) ?? 0) + (o['count'] as number));
    }
    expect(Object.fromEntries(notes)).toEqual({ 'client_to_server other': 1, 'server_to_client other': 1, 'client_to_server exit': 1 });
    const bytes = (direction: string) =>
      kinds(s, 'lsp_bytes')
        .filter((o) => o['direction'] === direction)
        .reduce((sum, o) => sum + (o['bytes'] as number), 0);
    expect(bytes('server_to_client')).toBe(p.stdout().length);
    expect(bytes('client_to_server')).toBeGreaterThan(200);
    expect(kinds(s, 'lsp_server').map((o) => [o['event'], o['code']])).toEqual([
      ['start', undefined],
      ['exit', 0],
    ]);
    expect(kinds(s, 'lsp_state').at(-1)).toMatchObject({ server: 'echo', up: false, in_flight: { client_to_server: 0, server_to_client: 0 } });
    expect(s.batches[0]!.body.instance).toMatch(/^lsp-proxy:.+:\d+$/);
    expect(p.stderr()).toBe('');
  });

  it("exits with the server's code when it crashes, after relaying its last output in full, and reports the exit", async () => {
    const s = await sink();
    const p = proxy(['--exporter', s.url]);
    p.send({ jsonrpc: '2.0', id: 1, method: 'echo/crash', params: { code: 3, bytes: 1_000_000 } });
    expect(await p.exited).toBe(3);
    const last = p.messages().find((m) => m.json?.['method'] === 'echo/lastWords');
    expect((last?.json?.['params'] as { text: string }).text).toHaveLength(1_000_000);
    expect(kinds(s, 'lsp_server')).toContainEqual({ kind: 'lsp_server', server: 'node', event: 'exit', code: 3 });
    expect(kinds(s, 'lsp_state').at(-1)).toMatchObject({ up: false });
  });

  it('forwards SIGTERM to the server and exits with its status; exits 0 when the editor closes stdin', async () => {
    const a = proxy(['--exporter', 'off']);
    await a.request(1, 'initialize', {});
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(143);
    const b = proxy(['--exporter', 'off']);
    await b.request(1, 'initialize', {});
    b.child.stdin.end();
    expect(await b.exited).toBe(0);
  });

  it('forwards a malformed message byte-identical in both directions and counts it', async () => {
    const p = proxy(['--exporter', 'off']);
    const garbage = Buffer.from('\u00ffnot {json at all', 'latin1');
    p.write(frame(garbage));
    const seen = await p.waitFor((m) => m.json?.['method'] === 'echo/malformedSeen');
    expect(Buffer.from((seen.json!['params'] as { base64: string }).base64, 'base64').equals(garbage)).toBe(true);
    await p.request(1, 'echo/malformed', { text: 'server says <<not json>>' });
    const forwarded = p.messages().find((m) => m.json === undefined);
    expect(forwarded?.raw.equals(frame(Buffer.from('server says <<not json>>')))).toBe(true);
    expect(await p.request(2, 'shutdown')).toMatchObject({ result: null });
    p.send({ jsonrpc: '2.0', method: 'exit' });
    expect(await p.exited).toBe(0);
    expect(p.stderr()).toMatch(/17-byte message client_to_server is not JSON; forwarded untouched \(1 so far\)/);
    expect(p.stderr()).toMatch(/24-byte message server_to_client is not JSON; forwarded untouched \(1 so far\)/);
  });

  it('keeps relaying while the exporter is down or hanging, then reports what it had to drop', async () => {
    const port = await freePort();
    const p = proxy(['--exporter', `http://127.0.0.1:${port}`, '--max-buffered', '5', '--server-name', 'echo']);
    // Phase 1: nothing listens.
    for (let i = 0; i < 20; i++) expect(await p.request(i, 'echo/x', { i })).toMatchObject({ result: { i } });
    await new Promise((r) => setTimeout(r, 1200)); // at least one failed flush
    // Phase 2: the exporter accepts connections but never answers; round trips stay fast.
    const s = await sink(port);
    s.answer('hang');
    const started = performance.now();
    for (let i = 20; i < 40; i++) expect(await p.request(i, 'echo/x', { i })).toMatchObject({ result: { i } });
    expect(performance.now() - started).toBeLessThan(1000);
    // Phase 3: it answers again; the drops are reported.
    s.answer(202);
    await waitFor('the drop report', async () => kinds(s, 'lsp_dropped').length > 0, 10_000);
    const dropped = kinds(s, 'lsp_dropped').reduce((sum, o) => sum + (o['count'] as number), 0);
    expect(kinds(s, 'lsp_dropped')[0]).toMatchObject({ server: 'echo' });
    expect(dropped).toBeGreaterThanOrEqual(30);
    p.send({ jsonrpc: '2.0', id: 99, method: 'shutdown' });
    p.send({ jsonrpc: '2.0', method: 'exit' });
    expect(await p.exited).toBe(0);
    // Every request either arrived or is in the drop count.
    expect(kinds(s, 'lsp_request').filter((o) => o['method'] === 'echo/x').length + dropped).toBeGreaterThanOrEqual(40);
    expect(p.stderr()).toMatch(/cannot deliver to http:\/\/127\.0\.0\.1:\d+\/api\/v1\/ingest/);
  });

  it('reports error answers by code and tracks diagnostics until didClose (misbehaving server)', async () => {
    const s = await sink();
    const p = proxy(['--exporter', s.url, '--server-name', 'bad'], [process.execPath, MISBEHAVING_SERVER]);
    await p.request(1, 'initialize', {});
    const doc = { uri: 'file:///tmp/a.ts', languageId: 'typescript', version: 1, text: 'x' };
    p.send({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: doc } });
    await p.waitFor((m) => m.json?.['method'] === 'textDocument/publishDiagnostics');
    const position = { textDocument: { uri: doc.uri }, position: { line: 0, character: 0 } };
    expect(await p.request(2, 'textDocument/completion', position)).toMatchObject({ error: { code: -32603 } });
    expect(await p.request(3, 'textDocument/hover', position)).toMatchObject({ result: { contents: 'hover' } });
    await waitFor('a state with the diagnostic', async () => kinds(s, 'lsp_state').some((o) => (o['diagnostics'] as { error: number }).error === 1), 5000, 50);
    p.send({ jsonrpc: '2.0', method: 'textDocument/didClose', params: { textDocument: { uri: doc.uri } } });
    // Not "the next batch": one already on its way may carry the state from before didClose was read.
    await waitFor('a state without the diagnostic', async () => (kinds(s, 'lsp_state').at(-1)?.['diagnostics'] as { error: number }).error === 0, 5000, 50);
    // up: the diagnostics were cleared by didClose, not by the server going away.
    expect(kinds(s, 'lsp_state').at(-1)).toMatchObject({ up: true, diagnostics: { error: 0, warning: 0, information: 0, hint: 0 } });
    expect(kinds(s, 'lsp_request').map((o) => [o['method'], o['outcome'], o['error_code']])).toEqual([
      ['initialize', 'ok', undefined],
      ['textDocument/completion', 'error', -32603],
      ['textDocument/hover', 'ok', undefined],
    ]);
  });

  it('answers a usage error with exit 2 when the server command is missing', async () => {
    const p = new RawProxy(['--exporter', 'off'], []);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toContain('lsp-proxy needs the language server command after "--"');
  });
});
