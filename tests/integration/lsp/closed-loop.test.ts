import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerFingerprint } from '../../../src/bridge/fingerprint.js';
import { startExporter, type RunningExporter } from '../../support/exporter.js';
import { waitFor } from '../../support/ports.mjs';
import { Teardown } from '../../support/teardown.js';
import { ECHO_SERVER, RawProxy } from './support/raw-proxy.js';

const labels = { alertname: 'IdeLspErrorRatioHigh', severity: 'critical', server: 'echo', job: 'ide-monitor' };

function webhook(status: 'firing' | 'resolved', startsAt: string) {
  return {
    version: '4',
    groupKey: '{}:{alertname="IdeLspErrorRatioHigh"}',
    status,
    receiver: 'bridge',
    groupLabels: { alertname: labels.alertname },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: 'http://alertmanager.invalid:9093',
    alerts: [
      {
        status,
        labels,
        annotations: { summary: 'Language server errors.' },
        startsAt,
        endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : new Date().toISOString(),
        generatorURL: '',
        fingerprint: alertmanagerFingerprint(labels),
      },
    ],
  };
}

/**
 * The closed loop inside one `serve`: an alert about a language server reaches the bridge, whose built-in
 * `lsp` action sends a command to the lsp-proxy in front of that server (through the proxy's own ingest
 * batches: no port opened on the developer's machine); the resolve's rollback undoes it.
 */
describe('the bridge acting through the LSP proxy', () => {
  const teardown = new Teardown();
  let exporter: RunningExporter;
  let proxy: RawProxy;
  let id = 0;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-closed-loop-'));
    teardown.add(() => rmSync(dir, { recursive: true, force: true }));
    const config = path.join(dir, 'ide-monitor.yml');
    writeFileSync(
      config,
      dump({
        bridge: {
          data_dir: path.join(dir, 'data'),
          routes: [{ match: { severity: 'critical' }, channels: ['log'], actions: true }],
          actions: {
            definitions: [
              {
                name: 'lsp-breaker',
                match: { alertname: 'IdeLspErrorRatioHigh' },
                trigger: { lsp: { command: 'breaker_open', server: '{{ labels.server }}', methods: ['textDocument/*'] } },
                rollback: { lsp: { command: 'breaker_close', server: '{{ labels.server }}', methods: ['textDocument/*'] } },
                timeout: '20s',
                cooldown: '1s',
              },
            ],
          },
        },
      }),
    );
    exporter = await startExporter({ args: [`--config.file=${config}`, '--no-collector.hostinfo'] });
    teardown.add(() => exporter.stop());
    proxy = new RawProxy(['--server-name', 'echo', '--exporter', exporter.url], [process.execPath, ECHO_SERVER]);
    teardown.add(() => proxy.kill());
    expect(await proxy.request(id++, 'initialize', { processId: null, capabilities: {}, rootUri: null })).toMatchObject({
      result: { serverInfo: { name: 'echo-server' } },
    });
    proxy.send({ jsonrpc: '2.0', method: 'initialized', params: {} });
    // The exporter learns the proxy executes commands from its first version-2 batch.
    await waitFor('the proxy to report', async () => (await (await fetch(`${exporter.url}/metrics`)).text()).includes('server="echo"'), 15_000, 200);
  });
  afterAll(() => teardown.run());

  const post = (body: unknown) =>
    fetch(`${exporter.url}/api/v1/alertmanager/webhook`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const actions = async () =>
    (
      (await (await fetch(`${exporter.url}/api/v1/audit?kind=action`)).json()) as {
        entries: Array<{ detail: { phase: string; outcome: string; kind: string; target: string; error?: string } }>;
      }
    ).entries.map((e) => e.detail);

  it('opens the breaker when the error-ratio alert fires and closes it when it resolves', async () => {
    expect(await proxy.request(id++, 'textDocument/hover', { before: true })).toMatchObject({ result: { before: true } });
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    expect((await post(webhook('firing', startsAt))).status).toBe(200);
    await waitFor('the breaker action to succeed', async () => (await actions()).some((a) => a.phase === 'trigger' && a.outcome === 'succeeded'), 20_000, 200);
    expect((await actions())[0]).toMatchObject({ kind: 'lsp', target: 'lsp breaker_open server=echo methods=textDocument/*', outcome: 'succeeded' });
    // Open: hover is answered at once by the proxy with RequestFailed; everything else still reaches the server.
    expect(await proxy.request(id++, 'textDocument/hover', { during: true })).toMatchObject({ error: { code: -32803 } });
    expect(await proxy.request(id++, 'workspace/symbol', { query: 'x' })).toMatchObject({ result: { query: 'x' } });

    expect((await post(webhook('resolved', startsAt))).status).toBe(200);
    await waitFor(
      'the rollback to close the breaker',
      async () => (await actions()).some((a) => a.phase === 'rollback' && a.outcome === 'succeeded'),
      20_000,
      200,
    );
    expect(await proxy.request(id++, 'textDocument/hover', { after: true })).toMatchObject({ result: { after: true } });
  });

  it('fails the action with the reason when no proxy of that server reports here', async () => {
    const other = { ...labels, server: 'nobody' };
    const payload = webhook('firing', new Date().toISOString());
    payload.commonLabels = other;
    payload.alerts = [{ ...payload.alerts[0]!, labels: other, fingerprint: alertmanagerFingerprint(other) }];
    expect((await post(payload)).status).toBe(200);
    await waitFor('the failed action', async () => (await actions()).some((a) => a.outcome === 'failed'), 20_000, 200);
    expect((await actions()).find((a) => a.outcome === 'failed')?.error).toContain('no live lsp-proxy for server nobody reports to this ide-monitor');
  });
});
