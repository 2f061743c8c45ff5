import { afterAll, describe, expect, it } from 'vitest';
import { ResponseError } from 'vscode-jsonrpc/node';
import { waitFor } from '../../support/ports.mjs';
import { Teardown } from '../../support/teardown.js';
import { CLI } from '../../support/exporter.js';
import { startIngestSink } from './support/ingest-sink.js';
import { hoverArea, initialize, MAIN_URI, openDocuments } from './support/editor-session.js';
import { endSession, startClient, TSLS } from './support/lsp-session.js';

// A breaker in front of a real server: typescript-language-server behind the proxy, the command handed
// over in the answer to a batch (as the exporter does; restart.test.ts covers the exporter's side).
describe('circuit breaker in front of typescript-language-server', () => {
  const teardown = new Teardown();
  afterAll(() => teardown.run());

  it('answers the open method at once with RequestFailed while everything else keeps working, then closes', async () => {
    const sink = await startIngestSink();
    teardown.add(() => sink.close());
    const client = startClient(process.execPath, [CLI, 'lsp-proxy', '--server-name', 'typescript', '--exporter', sink.url, '--', TSLS, '--stdio']);
    teardown.add(() => client.child.kill('SIGKILL'));
    await initialize(client);
    await openDocuments(client, false);
    expect(await hoverArea(client)).not.toBeNull();

    const acked = (id: string) => sink.batches.some((b) => ((b.body as { acks?: { id: string }[] }).acks ?? []).some((a) => a.id === id));
    sink.control([{ id: 'open-1', command: 'breaker_open', methods: ['textDocument/hover'], reason: 'error ratio high', expires_in_ms: 30_000 }]);
    await waitFor('the breaker to open', async () => acked('open-1'), 15_000, 50);

    const started = performance.now();
    const refused = await hoverArea(client).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(performance.now() - started).toBeLessThan(200);
    expect(refused).toBeInstanceOf(ResponseError);
    expect(refused).toMatchObject({ code: -32803, message: expect.stringContaining('circuit breaker open for textDocument/hover') });
    const completion = await client.connection.sendRequest<{ items: unknown[] }>('textDocument/completion', {
      textDocument: { uri: MAIN_URI },
      position: { line: 7, character: 0 },
    });
    expect(completion.items.length).toBeGreaterThan(10);
    const symbols = await client.connection.sendRequest<unknown[]>('textDocument/documentSymbol', { textDocument: { uri: MAIN_URI } });
    expect(symbols.length).toBeGreaterThan(0);

    sink.control([{ id: 'close-1', command: 'breaker_close', methods: ['textDocument/hover'], expires_in_ms: 30_000 }]);
    await waitFor('the breaker to close', async () => acked('close-1'), 15_000, 50);
    expect(await hoverArea(client)).toMatchObject({ contents: { kind: 'markdown' } });

    expect(await endSession(client)).toBe(0);
    const hovers = sink.observations().filter((o) => o['kind'] === 'lsp_request' && o['method'] === 'textDocument/hover');
    expect(hovers.map((o) => [o['outcome'], o['error_code']])).toEqual([
      ['ok', undefined],
      ['short_circuited', -32803],
      ['ok', undefined],
    ]);
  }, 60_000);
});
