import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../support/ports.mjs';
import { Teardown } from '../../support/teardown.js';
import { startIngestSink, type IngestSink } from './support/ingest-sink.js';
import { ECHO_SERVER, RawProxy } from './support/raw-proxy.js';

// The proxy's control commands, driven through its real reporting path (a sink that answers batches with
// commands as the exporter does) in front of the echo server, whose echo/slow and echo/crash make the
// in-flight and crash cases deterministic. The same with typescript-language-server and the real
// exporter is in restart.test.ts.
const teardown = new Teardown();
afterEach(() => teardown.run());

async function setup(extra: readonly string[] = [], server = [process.execPath, ECHO_SERVER]) {
  const s = await startIngestSink();
  teardown.add(() => s.close());
  const p = new RawProxy(['--server-name', 'echo', '--exporter', s.url, '--log-level', 'info', ...extra], server);
  teardown.add(() => p.kill());
  expect(await p.request(0, 'initialize', { processId: null, capabilities: {}, rootUri: null })).toMatchObject({
    result: { serverInfo: { name: 'echo-server' } },
  });
  p.send({ jsonrpc: '2.0', method: 'initialized', params: {} });
  // The reporter's first batch (the server's start) leaves once its HTTP client has loaded, not before initialize's answer.
  await waitFor('the first batch', async () => s.batches.length > 0, 5000, 20);
  return { s, p };
}

const kinds = (s: IngestSink, kind: string) => s.observations().filter((o) => o['kind'] === kind);
const acks = (s: IngestSink) => s.batches.flatMap((b) => (b.body as { acks?: { id: string; outcome: string; detail?: string }[] }).acks ?? []);

/** Hands `command` to the proxy with the answer to its next batch and waits for the ack. */
async function command(s: IngestSink, c: Record<string, unknown>): Promise<{ outcome: string; detail?: string }> {
  const id = `cmd-${Math.random().toString(36).slice(2)}`;
  s.control([{ id, expires_in_ms: 30_000, ...c }]);
  await waitFor(`the ack of ${String(c['command'])}`, async () => acks(s).some((a) => a.id === id), 15_000, 50);
  return acks(s).find((a) => a.id === id)!;
}

describe('lsp-proxy control commands (echo server)', () => {
  it('restart: answers a request in flight at the swap with ContentModified, keeps serving, the editor sees no exit', async () => {
    const { s, p } = await setup();
    expect(s.batches[0]?.body.version).toBe(2);
    p.send({ jsonrpc: '2.0', id: 1, method: 'echo/slow', params: { ms: 10_000 } });
    const ack = await command(s, { command: 'restart', reason: 'test' });
    expect(ack).toMatchObject({ outcome: 'done', detail: 'replayed 0 open documents' });
    const answer = await p.waitFor((m) => m.json?.['id'] === 1, 2000);
    expect(answer.json).toMatchObject({ error: { code: -32801, message: expect.stringContaining('restarted echo') } });
    expect(await p.request(2, 'echo/x', { after: 'restart' })).toMatchObject({ result: { after: 'restart' } });
    // The replacement's answer to the replayed initialize never reaches the editor.
    expect(p.messages().filter((m) => (m.json?.['result'] as { serverInfo?: unknown } | undefined)?.serverInfo !== undefined)).toHaveLength(1);
    await waitFor('the restart reported', async () => kinds(s, 'lsp_restart').length === 1, 5000, 50);
    expect(kinds(s, 'lsp_restart')).toEqual([{ kind: 'lsp_restart', server: 'echo', reason: 'command' }]);
    expect(kinds(s, 'lsp_request').find((o) => o['error_code'] === -32801)).toMatchObject({ method: 'other', outcome: 'error' });
    expect(await p.request(3, 'shutdown')).toMatchObject({ result: null });
    p.send({ jsonrpc: '2.0', method: 'exit' });
    expect(await p.exited).toBe(0);
    expect(kinds(s, 'lsp_server').map((o) => o['event'])).toEqual(['start', 'start', 'exit']);
  });

  it('breaker: answers matching requests at once with RequestFailed, counted as short_circuited; the rest passes; close restores', async () => {
    const { s, p } = await setup();
    expect(await command(s, { command: 'breaker_open', methods: ['textDocument/*'], reason: 'error ratio' })).toMatchObject({
      outcome: 'done',
      detail: 'open: textDocument/*',
    });
    const started = performance.now();
    expect(await p.request(1, 'textDocument/hover', {})).toMatchObject({
      error: { code: -32803, message: expect.stringContaining('circuit breaker open for textDocument/*') },
    });
    expect(performance.now() - started).toBeLessThan(500);
    expect(await p.request(2, 'workspace/symbol', { query: 'x' })).toMatchObject({ result: { query: 'x' } });
    // A notification is never held back: it would desynchronise the server.
    p.send({ jsonrpc: '2.0', method: 'echo/notify', params: { n: 1 } });
    await p.waitFor((m) => m.json?.['method'] === 'echo/notify');
    await waitFor(
      'the breaker in the state',
      async () => (kinds(s, 'lsp_state').at(-1)?.['breakers'] as string[] | undefined)?.[0] === 'textDocument/*',
      5000,
      50,
    );
    expect(await command(s, { command: 'breaker_close', methods: ['textDocument/*'] })).toMatchObject({ outcome: 'done', detail: 'open: none' });
    expect(await p.request(3, 'textDocument/hover', { h: 1 })).toMatchObject({ result: { h: 1 } });
    await waitFor('the hover outcomes', async () => kinds(s, 'lsp_request').filter((o) => o['method'] === 'textDocument/hover').length === 2, 5000, 50);
    expect(
      kinds(s, 'lsp_request')
        .filter((o) => o['method'] === 'textDocument/hover')
        .map((o) => [o['outcome'], o['error_code']]),
    ).toEqual([
      ['short_circuited', -32803],
      ['ok', undefined],
    ]);
    await waitFor('the closed breaker in the state', async () => (kinds(s, 'lsp_state').at(-1)?.['breakers'] as string[]).length === 0, 5000, 50);
  });

  it('--restart-on-crash replaces a crashed server (the editor keeps its session), at most --max-restarts times', async () => {
    const { s, p } = await setup(['--restart-on-crash', '--max-restarts', '1']);
    p.send({ jsonrpc: '2.0', id: 1, method: 'echo/crash', params: { code: 3, bytes: 10 } });
    // The request the server died with is answered ContentModified (the editor retries it)...
    expect((await p.waitFor((m) => m.json?.['id'] === 1, 10_000)).json).toMatchObject({ error: { code: -32801 } });
    // ...and the session goes on with the replacement: sent right after the crash (held while no server
    // runs, or straight to the replacement if it is up already), answered, never lost. Sending it before the
    // crash was observed raced the old server's exit on a loaded machine (CI caught it).
    p.send({ jsonrpc: '2.0', id: 2, method: 'echo/x', params: { held: true } });
    expect((await p.waitFor((m) => m.json?.['id'] === 2, 10_000)).json).toMatchObject({ result: { held: true } });
    await waitFor('the crash restart reported', async () => kinds(s, 'lsp_restart').length === 1, 5000, 50);
    expect(kinds(s, 'lsp_restart')[0]).toMatchObject({ reason: 'crash' });
    expect(kinds(s, 'lsp_server')).toContainEqual({ kind: 'lsp_server', server: 'echo', event: 'exit', code: 3 });
    // The second crash within the window ends the proxy with the server's code.
    p.send({ jsonrpc: '2.0', id: 3, method: 'echo/crash', params: { code: 4, bytes: 10 } });
    expect(await p.exited).toBe(4);
    expect(p.stderr()).toMatch(/crashed 2 times within 600000 ms; not restarting it again/);
  });

  it('classifies an exit after the editor went away as a client disconnect, whatever the code', async () => {
    const exitsOnEof = ['-e', "process.stdin.on('data', () => {}); process.stdin.on('end', () => process.exit(1));"];
    const s = await startIngestSink();
    teardown.add(() => s.close());
    const p = new RawProxy(['--server-name', 'eof', '--exporter', s.url], [process.execPath, ...exitsOnEof]);
    teardown.add(() => p.kill());
    await waitFor('the first batch', async () => s.batches.length > 0, 5000, 50);
    p.child.stdin.end();
    expect(await p.exited).toBe(1);
    expect(kinds(s, 'lsp_server').at(-1)).toEqual({ kind: 'lsp_server', server: 'eof', event: 'exit', code: 1, cause: 'client_disconnect' });
  });

  it('never echoes the password of a bad --exporter URL', async () => {
    const p = new RawProxy(['--exporter', 'ftp://alice:hunter2@host'], ['true']);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toContain('--exporter must be an http(s) URL or "off", got "ftp://***@host"');
    expect(p.stderr()).not.toContain('hunter2');
  });
});
