import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertmanager, type RunningAlertmanager } from '../../support/alertmanager.mjs';
import { requireBinary } from '../../support/binaries.js';
import { parseSamples } from '../../support/exposition.js';
import { freePort, waitFor } from '../../support/ports.mjs';
import { startPagerDutySink, startSlackSink, type Sink } from '../../support/sinks.mjs';
import { api, ROUTING_KEY, startBridge, TOKEN, webhookUrl } from './bridge-process.js';

const amBinary = requireBinary('prometheus-alertmanager', 'prometheus-alertmanager');
const amtool = requireBinary('amtool', 'prometheus-alertmanager');

describe.skipIf(amBinary === undefined || amtool === undefined)('the bridge behind a real Alertmanager', () => {
  let am: RunningAlertmanager;
  let slack: Sink;
  let pd: Sink;
  let bridge: Awaited<ReturnType<typeof startBridge>>;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bridge-it-'));
  const startsAt = new Date(Date.now() - 60_000).toISOString();
  const cpu = { alertname: 'IdeHostCpuHighUsage', severity: 'critical', instance: 'dev-1:10451', job: 'ide-monitor' };
  const lsp = { alertname: 'IdeLspServerDown', severity: 'high', server: 'tsserver', job: 'ide-monitor' };
  const annotations = { summary: 'CPU usage is high.', runbook_url: 'https://example.com/runbook#cpu' };

  beforeAll(async () => {
    [slack, pd] = await Promise.all([startSlackSink(), startPagerDutySink()]);
    const port = await freePort();
    am = await startAlertmanager({ binary: amBinary!, webhookUrl: webhookUrl(port), token: TOKEN });
    bridge = await startBridge({ port, dataDir, slackUrl: slack.url, pagerdutyUrl: pd.url, alertmanagerUrl: am.url });
  });

  afterAll(async () => {
    await bridge?.stop();
    await am?.stop();
    await Promise.all([slack?.stop(), pd?.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers a critical alert to PagerDuty and Slack through 500s and a 429 with Retry-After, then its resolve', async () => {
    pd.failNext(1, 500);
    slack.failNext(1, 429, 1);
    await am.postAlerts([
      { labels: cpu, annotations, startsAt, generatorURL: 'http://prometheus.example/graph' },
      { labels: lsp, annotations: { summary: 'A language server is down.' }, startsAt },
    ]);
    await waitFor('PagerDuty trigger and two Slack messages', async () => pd.accepted().length >= 1 && slack.accepted().length >= 2, 20_000);
    // PagerDuty: one 500, then the trigger, carrying the alert's fingerprint as dedup key.
    expect(pd.requests[0]!.status).toBe(500);
    const trigger = pd.accepted()[0]!.body as {
      routing_key: string;
      event_action: string;
      dedup_key: string;
      payload: { severity: string; summary: string; custom_details: { fingerprint: string } };
    };
    expect(trigger).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      payload: { severity: 'critical', summary: 'IdeHostCpuHighUsage: CPU usage is high. (dev-1:10451)' },
    });
    expect(trigger.dedup_key).toBe(`ide-monitor/${trigger.payload.custom_details.fingerprint}`);
    // Slack: a 429 with Retry-After: 1, and the next request not before a second later.
    expect(slack.requests[0]!.status).toBe(429);
    expect(slack.requests[1]!.at - slack.requests[0]!.at).toBeGreaterThanOrEqual(950);
    const titles = slack
      .accepted()
      .map((r) => (r.body as { text: string }).text)
      .sort();
    expect(titles).toEqual(['[FIRING:1] IdeHostCpuHighUsage (critical): CPU usage is high.', '[FIRING:1] IdeLspServerDown (high): A language server is down.']);
    // The high alert does not page.
    expect(pd.accepted()).toHaveLength(1);

    await am.postAlerts([{ labels: cpu, annotations, startsAt, endsAt: new Date().toISOString() }]);
    await waitFor('the resolve at PagerDuty and Slack', async () => pd.accepted().length >= 2 && slack.accepted().length >= 3, 20_000);
    expect(pd.accepted()[1]!.body).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: trigger.dedup_key,
      client: 'ide-monitor',
      client_url: am.url,
    });
    expect((slack.accepted()[2]!.body as { text: string; attachments: Array<{ color: string }> }).attachments[0]!.color).toBe('#2EB67D');
    expect(pd.duplicates()).toBe(0);
  });

  it('lists the active alert with its delivery state, acknowledges it as an Alertmanager silence, and audits that', async () => {
    const { status, body } = await api(`${bridge.url}/api/v1/alerts`);
    expect(status).toBe(200);
    expect(body.alerts.map((a: { alertname: string }) => a.alertname)).toEqual(['IdeLspServerDown']);
    const alert = body.alerts[0]!;
    expect(alert.deliveries).toEqual([expect.objectContaining({ channel: 'slack', state: 'delivered', attempts: expect.any(Number) })]);

    const ack = await api(`${bridge.url}/api/v1/alerts/${alert.fingerprint}/ack`, {
      method: 'POST',
      body: JSON.stringify({ duration: '2h', comment: 'looking into it', createdBy: 'alice' }),
    });
    expect(ack.status).toBe(201);
    const silences = await am.silences();
    const silence = silences.find((s) => s.id === ack.body.silenceID);
    // With only the shared webhook token the bridge cannot tell who acked: the claimed name is marked as such.
    expect(silence).toMatchObject({ createdBy: 'alice (unverified: shared webhook token)', comment: 'looking into it', status: { state: 'active' } });
    expect(Object.fromEntries(silence!.matchers.map((m) => [m.name, m.value]))).toEqual(lsp);
    expect(Date.parse(silence!.endsAt) - Date.parse(silence!.startsAt)).toBeGreaterThan(2 * 3600_000 - 5000);
    // amtool, Alertmanager's own CLI, sees it too.
    const listed = execFileSync(amtool!, ['silence', 'query', '--alertmanager.url', am.url, '-q'], { encoding: 'utf8' });
    expect(listed.split('\n')).toContain(ack.body.silenceID);

    const audit = await api(`${bridge.url}/api/v1/audit?kind=ack`);
    expect(audit.body.entries[0]).toMatchObject({
      kind: 'ack',
      fingerprint: alert.fingerprint,
      detail: { silenceID: ack.body.silenceID, principal: 'shared webhook token', via: 'shared-token', claimedBy: 'alice', remote: '127.0.0.1' },
    });
    // The silence's matchers are recorded: exactly the alert's labels.
    expect(Object.fromEntries(audit.body.entries[0]!.detail.matchers.map((m: { name: string; value: string }) => [m.name, m.value]))).toEqual(lsp);
    // Slack hears who acknowledged it (an incoming webhook cannot edit the firing message).
    await waitFor(
      'the ack message in Slack',
      async () => slack.accepted().some((r) => (r.body as { text: string }).text.startsWith('[ACKNOWLEDGED] IdeLspServerDown')),
      10_000,
    );
    // A second ack is the same ack: 200 with the same silence, and no second silence.
    const again = await api(`${bridge.url}/api/v1/alerts/${alert.fingerprint}/ack`, { method: 'POST', body: JSON.stringify({ createdBy: 'bob' }) });
    expect(again).toMatchObject({ status: 200, body: { silenceID: ack.body.silenceID, by: 'alice (unverified: shared webhook token)', created: false } });
    expect((await am.silences()).filter((s) => s.status.state === 'active')).toHaveLength(1);
    const history = await api(`${bridge.url}/api/v1/alerts/history?limit=10`);
    expect(history.body.events.map((e: { alertname: string; status: string }) => `${e.alertname}:${e.status}`).sort()).toEqual([
      'IdeHostCpuHighUsage:firing',
      'IdeHostCpuHighUsage:resolved',
      'IdeLspServerDown:firing',
    ]);
    expect((await api(`${bridge.url}/api/v1/alerts/0123456789abcdef/ack`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('answers bad requests with 4xx and a reason, and counts every outcome', async () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(webhookUrl(Number(new URL(bridge.url).port)), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}`, ...headers },
        body,
      });
    const wrongToken = await post('{}', { Authorization: 'Bearer nope' });
    expect(wrongToken.status).toBe(401);
    expect(wrongToken.headers.get('www-authenticate')).toBe('Bearer realm="ide-monitor"');
    expect((await api(`${bridge.url}/api/v1/alerts`, { headers: { Authorization: 'Bearer nope' } })).status).toBe(401);
    const badJson = await post('{"version":');
    expect(badJson.status).toBe(400);
    const badVersion = await post(JSON.stringify({ version: '3', alerts: [] }));
    expect(badVersion.status).toBe(400);
    expect(((await badVersion.json()) as { error: string }).error).toContain('unsupported payload version "3"');
    const tooLarge = await post(JSON.stringify({ pad: 'x'.repeat(5 * 1024 * 1024) }));
    expect(tooLarge.status).toBe(413);

    const samples = parseSamples(await (await fetch(`${bridge.url}/metrics`)).text());
    const value = (name: string, labels: Record<string, string>) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(value('ide_bridge_webhook_requests_total', { outcome: 'unauthorized' })).toBe(1);
    expect(value('ide_bridge_webhook_requests_total', { outcome: 'invalid' })).toBe(2);
    expect(value('ide_bridge_webhook_requests_total', { outcome: 'too_large' })).toBe(1);
    expect(value('ide_bridge_webhook_requests_total', { outcome: 'accepted' })).toBeGreaterThanOrEqual(3);
    expect(value('ide_bridge_alerts_received_total', { status: 'firing' })).toBe(2);
    expect(value('ide_bridge_alerts_received_total', { status: 'resolved' })).toBe(1);
    expect(value('ide_bridge_notifications_total', { channel: 'slack', outcome: 'retried' })).toBe(1);
    // Three alert messages and the ack.
    await waitFor('the Slack outbox to drain', async () => slack.accepted().length >= 4, 10_000);
    const drained = parseSamples(await (await fetch(`${bridge.url}/metrics`)).text());
    expect(
      drained.find((s) => s.name === 'ide_bridge_notifications_total' && s.labels['channel'] === 'slack' && s.labels['outcome'] === 'delivered')?.value,
    ).toBe(4);
    expect(drained.find((s) => s.name === 'ide_bridge_outbox_pending' && s.labels['channel'] === 'slack')?.value).toBe(0);
    expect(value('ide_bridge_notifications_total', { channel: 'pagerduty', outcome: 'retried' })).toBe(1);
    expect(value('ide_bridge_notifications_total', { channel: 'pagerduty', outcome: 'delivered' })).toBe(2);
    expect(value('ide_bridge_outbox_oldest_age_seconds', { channel: 'pagerduty' })).toBe(0);
  });

  it('never writes a secret to its log, even at debug level with failing sinks', () => {
    const log = bridge.process.output();
    expect(log).toContain('notification failed; will retry');
    for (const secret of [TOKEN, ROUTING_KEY, new URL(slack.url).pathname]) expect(log).not.toContain(secret);
  });

  it('shows no secret on its pages, APIs or /metrics', async () => {
    const secrets = [TOKEN, ROUTING_KEY, new URL(slack.url).pathname];
    const paths = ['/metrics', '/', '/api/v1/snapshot', '/api/v1/history', '/api/v1/alerts', '/api/v1/alerts/history', '/api/v1/audit'];
    for (const path of paths) {
      const res = await fetch(`${bridge.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status, path).toBe(200);
      const text = await res.text();
      for (const secret of secrets) expect(text.includes(secret), `${path} shows ${secret}`).toBe(false);
    }
  });
});
