import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, type RunningExporter } from '../../support/exporter.js';

// The exporter's side of the control channel, over HTTP on the real `ide-monitor serve`: the manual
// restart route, the command handed out in the answer to the proxy's next version 2 batch, the ack, and
// the command's state.
const TOKEN = 'control-test-token';
const JSON_TYPE = { 'content-type': 'application/json' };
const AUTH = { ...JSON_TYPE, authorization: `Bearer ${TOKEN}` };
// A restart is an operator's act (access.principals); the ingest token only ingests.
const OPERATOR_TOKEN = 'operator-token-for-control';
const OPERATOR = { ...JSON_TYPE, authorization: `Bearer ${OPERATOR_TOKEN}` };

const state = {
  kind: 'lsp_state',
  server: 'typescript',
  up: true,
  in_flight: { client_to_server: 0, server_to_client: 0 },
  diagnostics: { error: 0, warning: 0, information: 0, hint: 0 },
};

describe('LSP control routes on the real `ide-monitor serve`', () => {
  let exporter: RunningExporter;
  const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-control-'));
  beforeAll(async () => {
    const config = path.join(dir, 'ide-monitor.yml');
    writeFileSync(config, dump({ access: { principals: [{ name: 'ops', role: 'operator', token_hash: bcrypt.hashSync(OPERATOR_TOKEN, 4) }] } }));
    exporter = await startExporter({ args: ['--no-bridge.enabled', `--config.file=${config}`], env: { IDE_MONITOR_INGEST_TOKEN: TOKEN } });
  }, 30_000);
  afterAll(async () => {
    await exporter?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const batch = (version: number, instance: string, extra: Record<string, unknown> = {}) =>
    fetch(`${exporter.url}/api/v1/ingest`, { method: 'POST', headers: AUTH, body: JSON.stringify({ version, instance, observations: [state], ...extra }) });
  const restart = (instance: string, body: unknown = {}, headers: Record<string, string> = OPERATOR) =>
    fetch(`${exporter.url}/api/v1/lsp/${encodeURIComponent(instance)}/restart`, { method: 'POST', headers, body: JSON.stringify(body) });

  it('queues a restart for a version 2 proxy, hands it out in the answer to its next batch, and records the ack', async () => {
    expect((await batch(2, 'lsp-proxy:test:1')).status).toBe(204);
    const queued = await restart('lsp-proxy:test:1', { reason: 'runaway memory' });
    expect(queued.status).toBe(202);
    const { id, targets } = (await queued.json()) as { id: string; targets: string[] };
    expect(targets).toEqual(['lsp-proxy:test:1']);
    const answer = await batch(2, 'lsp-proxy:test:1');
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      control: { version: 1, commands: [{ id, command: 'restart', reason: 'runaway memory', expires_in_ms: expect.any(Number) }] },
    });
    expect((await batch(2, 'lsp-proxy:test:1', { acks: [{ id, outcome: 'done', detail: 'replayed 2 open documents' }] })).status).toBe(204);
    const status = await fetch(`${exporter.url}/api/v1/lsp/commands/${id}`, { headers: OPERATOR });
    expect(await status.json()).toMatchObject({
      id,
      settled: true,
      targets: [{ instance: 'lsp-proxy:test:1', state: 'done', detail: 'replayed 2 open documents' }],
    });
  });

  it('answers 404 for a proxy it does not know or that reports with version 1 (it cannot execute commands)', async () => {
    expect((await batch(1, 'lsp-proxy:old:1')).status).toBe(204);
    const res = await restart('lsp-proxy:old:1');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/no live lsp-proxy named "lsp-proxy:old:1" that accepts commands/);
    expect((await restart('nobody')).status).toBe(404);
  });

  it('refuses a caller who is not an operator (401, the ingest token too) and a bad body (400) with a reason', async () => {
    expect((await restart('lsp-proxy:test:1', {}, JSON_TYPE)).status).toBe(401);
    expect((await restart('lsp-proxy:test:1', {}, AUTH)).status).toBe(401);
    expect((await fetch(`${exporter.url}/api/v1/lsp/commands/x`)).status).toBe(401);
    const bad = await restart('lsp-proxy:test:1', { server: 'typescript', force: true });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'unknown field "force"; accepted: server, reason' });
  });

  it('refuses version 2 content in a version 1 batch, naming the field', async () => {
    const res = await batch(1, 'lsp-proxy:test:2', { acks: [{ id: 'x', outcome: 'done' }] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/acks: needs "version": 2/);
  });
});
