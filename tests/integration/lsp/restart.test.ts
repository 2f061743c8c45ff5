import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startExporter, type RunningExporter } from '../../support/exporter.js';
import { parseSamples } from '../../support/exposition.js';
import { waitFor } from '../../support/ports.mjs';
import { Teardown } from '../../support/teardown.js';
import { BROKEN_EDITED, diagnosticsSettled, hoverArea, initialize, openDocuments } from './support/editor-session.js';
import { BROKEN_URI, endSession, startClient, TSLS } from './support/lsp-session.js';

// The manual restart end to end: `POST /api/v1/lsp/{instance}/restart` on the real exporter, the command
// handed to the proxy in the answer to its next batch, typescript-language-server replaced under a live
// vscode-jsonrpc session. After the replay the session must be where a fresh one with the same documents
// would be.
describe('restart of typescript-language-server through the control channel', () => {
  const teardown = new Teardown();
  let exporter: RunningExporter;
  afterAll(() => teardown.run());

  beforeAll(async () => {
    exporter = await startExporter({ args: ['--no-bridge.enabled'] });
    teardown.add(() => exporter.stop());
  }, 30_000);

  it('keeps the session: the next hover answers and diagnostics after the replay equal a fresh session', async () => {
    const client = startClient(process.execPath, [CLI, 'lsp-proxy', '--server-name', 'typescript', '--exporter', exporter.url, '--', TSLS, '--stdio']);
    teardown.add(() => client.child.kill('SIGKILL'));
    const fresh = startClient(TSLS, ['--stdio']);
    teardown.add(() => fresh.child.kill('SIGKILL'));
    await Promise.all([initialize(client), initialize(fresh)]);
    // The proxied editor opens and edits incrementally; the fresh session opens the edited text directly.
    await openDocuments(client, true);
    await openDocuments(fresh, false, BROKEN_EDITED);
    // The restart comes while the first server may still be loading the project: the replay must not
    // depend on the old server having finished anything.

    const instance = `lsp-proxy:${hostname()}:${client.child.pid}`;
    const restart = () =>
      fetch(`${exporter.url}/api/v1/lsp/${encodeURIComponent(instance)}/restart`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"reason":"test"}',
      });
    let queued: { id: string; targets: string[] } | undefined;
    // 404 until the proxy's first version 2 batch has reached the exporter.
    await waitFor(
      'the exporter to know the proxy',
      async () => {
        const res = await restart();
        if (res.status === 202) queued = (await res.json()) as typeof queued;
        return res.status === 202;
      },
      10_000,
      200,
    );
    expect(queued!.targets).toEqual([instance]);
    const status = async () =>
      (await (await fetch(`${exporter.url}/api/v1/lsp/commands/${queued!.id}`)).json()) as { settled: boolean; targets: { state: string; detail?: string }[] };
    await waitFor('the restart to be acknowledged', async () => (await status()).settled, 40_000, 100);
    expect((await status()).targets).toEqual([{ instance, state: 'done', detail: 'replayed 3 open documents' }]);
    // Everything published from now on comes from the new server (the old one's output was cut at the swap).
    client.diagnostics.clear();

    // The next hover answers at once (the new tsserver may still be loading the project: its type can
    // read `any` for a moment); once it has checked the documents, it answers as a fresh session does.
    expect(await hoverArea(client)).toMatchObject({ contents: { kind: 'markdown' } });
    const [after, freshDiagnostics] = await Promise.all([diagnosticsSettled(client, 1), diagnosticsSettled(fresh, 1)]);
    expect(after).toEqual(freshDiagnostics);
    expect(await hoverArea(client)).toEqual(await hoverArea(fresh));
    expect(after[BROKEN_URI]![0]).toMatchObject({ message: "Type 'number' is not assignable to type 'string'.", range: { start: { line: 1 } } });

    const samples = async () => parseSamples(await (await fetch(`${exporter.url}/metrics`)).text());
    await waitFor(
      'the restart in the metrics',
      async () => (await samples()).some((s) => s.name === 'ide_lsp_proxy_restarts_total' && s.value === 1),
      10_000,
      200,
    );
    const s = await samples();
    const series = (name: string) => s.filter((x) => x.name === name && x.labels['server'] === 'typescript').map((x) => [x.labels, x.value]);
    expect(series('ide_lsp_proxy_restarts_total')).toEqual([[{ server: 'typescript', reason: 'command' }, 1]]);
    expect(series('ide_lsp_server_up')).toEqual([[{ server: 'typescript' }, 1]]);
    expect(series('ide_lsp_server_starts_total')).toEqual([[{ server: 'typescript' }, 2]]);
    // The replaced process was retired, not crashed: no exit is counted.
    expect(series('ide_lsp_server_exits_total')).toEqual([]);

    expect(await endSession(client)).toBe(0);
    expect(await endSession(fresh)).toBe(0);
  }, 150_000);
});
