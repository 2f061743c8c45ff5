import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerFingerprint } from '../../../src/bridge/fingerprint.js';
import type { Snapshot } from '../../../src/status/snapshot.js';
import { startExporter, type RunningExporter } from '../../support/exporter.js';

const WEBHOOK = 'hook-token-5d1e';
const INGEST = 'ingest-token-77a2';
const TOKENS = { vera: 'vera-token-1', otto: 'otto-token-2', ada: 'ada-token-3' } as const;
const BASIC = { bob: 'bob-pass', carl: 'carl-pass' } as const;

type Caller =
  'anonymous' | 'webhook token' | 'ingest token' | 'vera (viewer)' | 'otto (operator)' | 'ada (admin)' | 'bob (basic, operator)' | 'carl (basic, viewer)';
const CALLERS: Record<Caller, Record<string, string>> = {
  anonymous: {},
  'webhook token': { Authorization: `Bearer ${WEBHOOK}` },
  'ingest token': { Authorization: `Bearer ${INGEST}` },
  'vera (viewer)': { Authorization: `Bearer ${TOKENS.vera}` },
  'otto (operator)': { Authorization: `Bearer ${TOKENS.otto}` },
  'ada (admin)': { Authorization: `Bearer ${TOKENS.ada}` },
  'bob (basic, operator)': { Authorization: `Basic ${Buffer.from(`bob:${BASIC.bob}`).toString('base64')}` },
  'carl (basic, viewer)': { Authorization: `Basic ${Buffer.from(`carl:${BASIC.carl}`).toString('base64')}` },
};

function alertPayload(name: string) {
  const labels = { alertname: name, severity: 'high', instance: 'dev-1:10451' };
  return {
    version: '4',
    groupKey: `{}:{alertname="${name}"}`,
    status: 'firing',
    receiver: 'bridge',
    groupLabels: { alertname: name },
    commonLabels: labels,
    commonAnnotations: { summary: `${name} summary.` },
    externalURL: 'http://alertmanager.invalid:9093',
    alerts: [
      {
        status: 'firing',
        labels,
        annotations: { summary: `${name} summary.` },
        startsAt: new Date().toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: '',
        fingerprint: alertmanagerFingerprint(labels),
      },
    ],
  };
}

/**
 * Every route × role over real HTTP against the real `serve`: people and API clients with roles (bearer
 * tokens, basic-auth users), and the machine credentials that may do one thing each.
 */
describe('access levels', () => {
  let dir: string;
  let configFile: string;
  let exporter: RunningExporter;
  const config = (extra: Record<string, unknown> = {}) => ({
    web: { config_file: path.join(dir, 'web.yml') },
    ingest: { token: INGEST },
    bridge: { webhook: { token: WEBHOOK } },
    access: {
      principals: Object.entries(TOKENS).map(([name, token]) => ({
        name,
        role: name === 'vera' ? 'viewer' : name === 'otto' ? 'operator' : 'admin',
        token_hash: bcrypt.hashSync(token, 4),
      })),
      basic_auth_roles: { bob: 'operator' },
      public_status: true,
      ...extra,
    },
  });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-access-'));
    writeFileSync(
      path.join(dir, 'web.yml'),
      dump({ basic_auth_users: Object.fromEntries(Object.entries(BASIC).map(([user, pass]) => [user, bcrypt.hashSync(pass, 4)])) }),
    );
    configFile = path.join(dir, 'ide-monitor.yml');
    writeFileSync(configFile, dump(config()));
    exporter = await startExporter({ args: [`--config.file=${configFile}`, '--no-collector.hostinfo'], env: { IDE_MONITOR_DATA_DIR: path.join(dir, 'data') } });
  });
  afterAll(async () => {
    await exporter?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (caller: Caller, method: string, route: string, body?: unknown) => {
    const response = await fetch(`${exporter.url}${route}`, {
      method,
      headers: { ...CALLERS[caller], ...(body !== undefined && { 'Content-Type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };

  const unknown = '0123456789abcdef';
  // What each caller gets: 401 not signed in / wrong credential, 403 role too low, anything else means let through.
  const table: Array<[string, string, unknown, Record<Caller, number>]> = [
    [
      'GET',
      '/api/v1/alerts',
      undefined,
      {
        anonymous: 401,
        'webhook token': 401,
        'ingest token': 401,
        'vera (viewer)': 200,
        'otto (operator)': 200,
        'ada (admin)': 200,
        'bob (basic, operator)': 200,
        'carl (basic, viewer)': 200,
      },
    ],
    [
      'GET',
      '/api/v1/alerts/history',
      undefined,
      {
        anonymous: 401,
        'webhook token': 401,
        'ingest token': 401,
        'vera (viewer)': 200,
        'otto (operator)': 200,
        'ada (admin)': 200,
        'bob (basic, operator)': 200,
        'carl (basic, viewer)': 200,
      },
    ],
    [
      'POST',
      `/api/v1/alerts/${unknown}/ack`,
      {},
      {
        anonymous: 401,
        'webhook token': 401,
        'ingest token': 401,
        'vera (viewer)': 403,
        'otto (operator)': 404,
        'ada (admin)': 404,
        'bob (basic, operator)': 404,
        'carl (basic, viewer)': 403,
      },
    ],
    [
      'DELETE',
      `/api/v1/alerts/${unknown}/ack`,
      {},
      {
        anonymous: 401,
        'webhook token': 401,
        'ingest token': 401,
        'vera (viewer)': 403,
        'otto (operator)': 404,
        'ada (admin)': 404,
        'bob (basic, operator)': 404,
        'carl (basic, viewer)': 403,
      },
    ],
    [
      'POST',
      `/api/v1/alerts/${unknown}/resolve`,
      { resolution: 'x' },
      {
        anonymous: 401,
        'webhook token': 401,
        'ingest token': 401,
        'vera (viewer)': 403,
        'otto (operator)': 404,
        'ada (admin)': 404,
        'bob (basic, operator)': 404,
        'carl (basic, viewer)': 403,
      },
    ],
    [
      'GET',
      '/api/v1/audit',
      undefined,
      {
        anonymous: 401,
        'webhook token': 401,
        'ingest token': 401,
        'vera (viewer)': 403,
        'otto (operator)': 403,
        'ada (admin)': 200,
        'bob (basic, operator)': 403,
        'carl (basic, viewer)': 403,
      },
    ],
    [
      'POST',
      '/api/v1/lsp/nobody/restart',
      {},
      {
        anonymous: 401,
        'webhook token': 401,
        'ingest token': 401,
        'vera (viewer)': 403,
        'otto (operator)': 404,
        'ada (admin)': 404,
        'bob (basic, operator)': 404,
        'carl (basic, viewer)': 403,
      },
    ],
    [
      'POST',
      '/api/v1/alertmanager/webhook',
      alertPayload('AccessTableAlert'),
      {
        anonymous: 401,
        'webhook token': 200,
        'ingest token': 401,
        'vera (viewer)': 401,
        'otto (operator)': 401,
        'ada (admin)': 401,
        'bob (basic, operator)': 401,
        'carl (basic, viewer)': 401,
      },
    ],
    [
      'POST',
      '/api/v1/ingest',
      { version: 1, observations: [{ kind: 'cache', cache: 'symbols', result: 'hit' }] },
      {
        anonymous: 401,
        'webhook token': 401,
        'ingest token': 204,
        'vera (viewer)': 401,
        'otto (operator)': 401,
        'ada (admin)': 401,
        'bob (basic, operator)': 401,
        'carl (basic, viewer)': 401,
      },
    ],
  ];

  it.each(table)('%s %s: each caller gets what its role allows', async (method, route, body, expected) => {
    const got: Record<string, number> = {};
    for (const caller of Object.keys(expected) as Caller[]) got[caller] = (await call(caller, method, route, body)).status;
    expect(got).toEqual(expected);
  });

  it('serves the public status view to callers who are not signed in, the full one to viewers', async () => {
    await call('webhook token', 'POST', '/api/v1/alertmanager/webhook', alertPayload('PublicViewSecretAlert'));
    await new Promise((r) => setTimeout(r, 1500));
    // The public view is a Snapshot with `public: true` and the details left out.
    const anonymous = JSON.parse((await call('anonymous', 'GET', '/api/v1/snapshot')).text) as Snapshot & { public?: boolean };
    const viewer = JSON.parse((await call('vera (viewer)', 'GET', '/api/v1/snapshot')).text) as Snapshot & { public?: boolean };
    expect(anonymous.public).toBe(true);
    expect(anonymous.alerts.counts.high).toBeGreaterThanOrEqual(1);
    expect(anonymous.alerts.items).toEqual([]);
    expect(JSON.stringify(anonymous)).not.toContain('PublicViewSecretAlert');
    expect(anonymous.health.disk.detail).toBe('');
    expect(viewer.public).toBeUndefined();
    expect(JSON.stringify(viewer)).toContain('PublicViewSecretAlert');
    expect((await call('anonymous', 'GET', '/api/v1/whoami')).text).toBe('{"signedIn":false}');
    expect(JSON.parse((await call('bob (basic, operator)', 'GET', '/api/v1/whoami')).text)).toEqual({ signedIn: true, name: 'bob', role: 'operator' });
  });

  it('records the authenticated principal in the audit, never the name in the body', async () => {
    for (const [who, name] of [
      ['otto (operator)', 'AuditOtto'],
      ['bob (basic, operator)', 'AuditBob'],
    ] as const) {
      await call('webhook token', 'POST', '/api/v1/alertmanager/webhook', alertPayload(name));
      const fingerprint = alertmanagerFingerprint({ alertname: name, severity: 'high', instance: 'dev-1:10451' });
      const ack = await call(who, 'POST', `/api/v1/alerts/${fingerprint}/ack`, { createdBy: 'mallory', comment: 'mine' });
      expect(ack.status, ack.text).toBe(201);
    }
    const audit = JSON.parse((await call('ada (admin)', 'GET', '/api/v1/audit?kind=ack')).text) as { entries: Array<{ detail: Record<string, unknown> }> };
    expect(audit.entries.map((e) => [e.detail['principal'], e.detail['via'], e.detail['remote'], e.detail['by']])).toEqual([
      ['bob', 'basic', '127.0.0.1', 'bob'],
      ['otto', 'token', '127.0.0.1', 'otto'],
    ]);
    expect(JSON.stringify(audit)).not.toContain('mallory');
  });

  it("refuses a state change from another site's page, whoever is signed in", async () => {
    const response = await fetch(`${exporter.url}/api/v1/alerts/${unknown}/ack`, {
      method: 'POST',
      headers: { ...CALLERS['ada (admin)'], Origin: 'https://evil.example', 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(403);
  });

  it('audits a reload with the sections it changed, never a secret, and counts refusals', async () => {
    writeFileSync(configFile, dump(config({ public_status: false })));
    expect((await call('otto (operator)', 'POST', '/-/reload')).status).toBe(403);
    const reload = await call('ada (admin)', 'POST', '/-/reload');
    expect(reload.status, reload.text).toBe(200);
    const audit = JSON.parse((await call('ada (admin)', 'GET', '/api/v1/audit?kind=config_reload')).text) as {
      entries: Array<{ detail: Record<string, unknown> }>;
    };
    expect(audit.entries[0]!.detail).toEqual({ trigger: 'POST /-/reload by ada', ok: true, changedSections: ['access'] });
    const text = JSON.stringify(audit);
    for (const secret of [WEBHOOK, INGEST, ...Object.values(TOKENS), '$2']) expect(text).not.toContain(secret);
    // The reload applied: no public view any more.
    expect((await call('anonymous', 'GET', '/api/v1/snapshot')).status).toBe(401);
    const metrics = await (await fetch(`${exporter.url}/metrics`, { headers: CALLERS['carl (basic, viewer)'] })).text();
    expect(metrics).toMatch(/ide_http_auth_failures_total\{route="GET \/api\/v1\/audit",reason="forbidden"\} [1-9]/);
    expect(metrics).toMatch(/ide_http_auth_failures_total\{route="POST \/-\/reload",reason="forbidden"\} 1/);
  });
});
