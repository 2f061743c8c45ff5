import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerFingerprint } from '../../../src/bridge/fingerprint.js';
import { requireBinary } from '../../support/binaries.js';
import { waitFor } from '../../support/ports.mjs';
import { startPagerDutySink, startSlackSink, startWebhookSink, type Sink } from '../../support/sinks.mjs';
import { Teardown } from '../../support/teardown.js';
import { alertmanagerForBridge } from './behind-alertmanager.js';
import { api, startBridge } from './bridge-process.js';

const amBinary = requireBinary('prometheus-alertmanager', 'prometheus-alertmanager');

type SlackBody = { text: string };
type PdBody = { event_action: string; dedup_key: string };

/**
 * An alert's whole life against a real Alertmanager 0.25: fire → ack → resolve (which Alertmanager does
 * not send for a silenced alert: the reconciler must), fire → escalate → resolve, and a resolve that
 * happens while the bridge is down.
 */
describe.skipIf(amBinary === undefined)('the alert lifecycle behind a real Alertmanager', () => {
  const teardown = new Teardown();
  let slack: Sink;
  let pd: Sink;
  let target: Sink;
  let setup: Awaited<ReturnType<typeof alertmanagerForBridge>>;
  let bridge: Awaited<ReturnType<typeof startBridge>>;

  const startsAt = new Date(Date.now() - 60_000).toISOString();
  const critical = { alertname: 'LifecycleCpu', severity: 'critical', instance: 'dev-1:10451', job: 'ide-monitor' };
  const high = { alertname: 'LifecycleLsp', severity: 'high', server: 'pyright', job: 'ide-monitor' };
  const restartCase = { alertname: 'LifecycleRestart', severity: 'critical', instance: 'dev-2:10451', job: 'ide-monitor' };

  const startTheBridge = () =>
    startBridge({
      port: setup.port,
      dataDir: setup.dataDir,
      slackUrl: slack.url,
      pagerdutyUrl: pd.url,
      alertmanagerUrl: setup.am.url,
      bridge: {
        alertmanager: { reconcile_interval: '1s', reconcile_grace: '2s' },
        escalation_check_interval: '250ms',
        channels: { slack: { messages_per_second: 50 } },
        routes: [
          { match: { severity: 'critical' }, channels: ['slack', 'pagerduty'], actions: true },
          { match: { severity: 'high' }, channels: ['slack'], escalate_after: '3s', escalate_to: ['pagerduty'] },
        ],
        actions: {
          definitions: [
            {
              name: 'scale',
              match: { alertname: 'LifecycleCpu' },
              trigger: { http: { method: 'POST', url: `${target.url}`, body: { delta: 1, request_id: 'up-{{ episode }}' } } },
              rollback: { http: { method: 'POST', url: `${target.url}`, body: { delta: -1, request_id: 'down-{{ episode }}' } } },
              cooldown: '10m',
            },
          ],
        },
      },
    });

  beforeAll(async () => {
    [slack, pd, target] = await Promise.all([startSlackSink(), startPagerDutySink(), startWebhookSink()]);
    teardown.add(() => Promise.all([slack.stop(), pd.stop(), target.stop()]));
    setup = await alertmanagerForBridge(teardown, amBinary!, 'bridge-lifecycle-');
    bridge = await startTheBridge();
    teardown.add(() => bridge.stop());
  });
  afterAll(() => teardown.run());

  const slackTexts = () => slack.accepted().map((r) => (r.body as SlackBody).text);
  const pdActions = (fingerprint: string) =>
    pd
      .accepted()
      .map((r) => r.body as PdBody)
      .filter((e) => e.dedup_key === `ide-monitor/${fingerprint}`)
      .map((e) => e.event_action);

  it('ack → resolve: PagerDuty acknowledge then resolve, Slack acknowledged then RESOLVED, one rollback, nothing left firing', async () => {
    const fingerprint = alertmanagerFingerprint(critical);
    await setup.am.postAlerts([{ labels: critical, annotations: { summary: 'CPU usage is high.' }, startsAt }]);
    await waitFor('the trigger at PagerDuty and the scale-up', async () => pdActions(fingerprint).length === 1 && target.accepted().length === 1, 15_000);

    const ack = await api(`${bridge.url}/api/v1/alerts/${fingerprint}/ack`, {
      method: 'POST',
      body: JSON.stringify({ createdBy: 'alice', comment: 'on it', duration: '10y' }),
    });
    expect(ack.status).toBe(201);
    expect(ack.body.silenceID).toEqual(expect.any(String));
    await waitFor('the PagerDuty acknowledge', async () => pdActions(fingerprint).length === 2, 10_000);
    expect(pdActions(fingerprint)).toEqual(['trigger', 'acknowledge']);
    expect((await api(`${bridge.url}/api/v1/alerts`)).body.alerts[0]).toMatchObject({
      fingerprint,
      ack: { by: 'alice (unverified: shared webhook token)', silenceId: ack.body.silenceID },
    });

    // The alert resolves in Alertmanager; silenced, it sends no resolve. The reconciler sees it gone.
    await setup.am.postAlerts([{ labels: critical, annotations: { summary: 'CPU usage is high.' }, startsAt, endsAt: new Date().toISOString() }]);
    await waitFor('the resolve at PagerDuty and the rollback', async () => pdActions(fingerprint).length === 3 && target.accepted().length === 2, 20_000);
    expect(pdActions(fingerprint)).toEqual(['trigger', 'acknowledge', 'resolve']);
    const mine = slackTexts().filter((t) => t.includes('LifecycleCpu'));
    expect(mine.map((t) => t.replace(/[:(].*$/, '').trim())).toEqual(['[FIRING', '[ACKNOWLEDGED] LifecycleCpu', '[RESOLVED] LifecycleCpu']);
    expect(target.accepted().map((r) => (r.body as { delta: number; request_id: string }).delta)).toEqual([1, -1]);
    const episode = `${fingerprint}-${Date.parse(startsAt)}`;
    expect(target.accepted().map((r) => (r.body as { request_id: string }).request_id)).toEqual([`up-${episode}`, `down-${episode}`]);
    expect((await api(`${bridge.url}/api/v1/alerts`)).body.alerts.filter((a: { fingerprint: string }) => a.fingerprint === fingerprint)).toEqual([]);
    // Acking a resolved alert creates nothing: 409 with the reason.
    const late = await api(`${bridge.url}/api/v1/alerts/${fingerprint}/ack`, { method: 'POST', body: '{}' });
    expect(late.status).toBe(409);
    expect(late.body.error).toContain('is resolved');
    expect(pd.duplicates()).toBe(0);
  });

  it('escalates an alert nobody acknowledged, and not one that was acknowledged; unack restarts the clock', async () => {
    const unacked = { ...high, server: 'pyright-a' };
    const acked = { ...high, server: 'pyright-b' };
    const [fpA, fpB] = [alertmanagerFingerprint(unacked), alertmanagerFingerprint(acked)];
    await setup.am.postAlerts([
      { labels: unacked, annotations: { summary: 'A language server is down.' }, startsAt },
      { labels: acked, annotations: { summary: 'A language server is down.' }, startsAt },
    ]);
    await waitFor(
      'both alerts at the bridge',
      async () => (await api(`${bridge.url}/api/v1/alerts`)).body.alerts.filter((a: { alertname: string }) => a.alertname === 'LifecycleLsp').length === 2,
      15_000,
    );
    expect((await api(`${bridge.url}/api/v1/alerts/${fpB}/ack`, { method: 'POST', body: JSON.stringify({ createdBy: 'bob', silence: false }) })).status).toBe(
      201,
    );
    await waitFor('the escalation to PagerDuty', async () => pdActions(fpA).length === 1, 15_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(pdActions(fpA)).toEqual(['trigger']);
    expect(pdActions(fpB)).toEqual([]);
    const audit = await api(`${bridge.url}/api/v1/audit?kind=escalated`);
    expect(audit.body.entries.map((e: { fingerprint: string }) => e.fingerprint)).toEqual([fpA]);

    // Withdrawing the ack restarts B's clock: it escalates 3 s later.
    const unack = await api(`${bridge.url}/api/v1/alerts/${fpB}/ack`, { method: 'DELETE', body: JSON.stringify({ createdBy: 'bob' }) });
    expect(unack.status).toBe(200);
    await waitFor('the escalation of the unacknowledged alert', async () => pdActions(fpB).length === 1, 15_000);

    // Resolving an escalated alert resolves it where the escalation went too.
    const endsAt = new Date().toISOString();
    await setup.am.postAlerts([
      { labels: unacked, annotations: { summary: 'A language server is down.' }, startsAt, endsAt },
      { labels: acked, annotations: { summary: 'A language server is down.' }, startsAt, endsAt },
    ]);
    await waitFor('the resolves at PagerDuty', async () => pdActions(fpA).length === 2 && pdActions(fpB).length === 2, 20_000);
    expect(pdActions(fpA)).toEqual(['trigger', 'resolve']);
  });

  it('resolve with a note: recorded, shown in the resolve message, and not faked while Alertmanager says firing', async () => {
    const labels = { ...high, server: 'pyright-note' };
    const fingerprint = alertmanagerFingerprint(labels);
    await setup.am.postAlerts([{ labels, annotations: { summary: 'A language server is down.' }, startsAt }]);
    await waitFor(
      'the alert at the bridge',
      async () => (await api(`${bridge.url}/api/v1/alerts`)).body.alerts.some((a: { fingerprint: string }) => a.fingerprint === fingerprint),
      15_000,
    );
    const noted = await api(`${bridge.url}/api/v1/alerts/${fingerprint}/resolve`, {
      method: 'POST',
      body: JSON.stringify({ resolution: 'restarted pyright', createdBy: 'carol' }),
    });
    expect(noted.status).toBe(202);
    expect(noted.body).toMatchObject({ status: 'firing', resolution: 'restarted pyright' });
    expect((await api(`${bridge.url}/api/v1/alerts`)).body.alerts.find((a: { fingerprint: string }) => a.fingerprint === fingerprint)).toMatchObject({
      status: 'firing',
      resolution: 'restarted pyright',
    });
    await setup.am.postAlerts([{ labels, annotations: { summary: 'A language server is down.' }, startsAt, endsAt: new Date().toISOString() }]);
    await waitFor(
      'the resolve in Slack',
      async () =>
        slack.accepted().some((r) => (r.body as SlackBody).text.startsWith('[RESOLVED] LifecycleLsp') && JSON.stringify(r.body).includes('restarted pyright')),
      20_000,
    );
  });

  it('delivers a resolve that happened while the bridge was down, after its restart', async () => {
    const fingerprint = alertmanagerFingerprint(restartCase);
    await setup.am.postAlerts([{ labels: restartCase, annotations: { summary: 'Restart case.' }, startsAt }]);
    await waitFor('the trigger', async () => pdActions(fingerprint).length === 1, 15_000);
    await bridge.stop();
    // Resolved while the bridge is down; Alertmanager's own retries of the resolve are not what we rely on:
    // silence it so Alertmanager never sends it, as after an ack.
    const silence = await fetch(`${setup.am.url}/api/v2/silences`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        matchers: Object.entries(restartCase).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3600_000).toISOString(),
        createdBy: 'test',
        comment: 'hide the resolve',
      }),
    });
    expect(silence.status).toBe(200);
    await setup.am.postAlerts([{ labels: restartCase, annotations: { summary: 'Restart case.' }, startsAt, endsAt: new Date().toISOString() }]);
    await new Promise((r) => setTimeout(r, 1500));
    bridge = await startTheBridge();
    await waitFor('the resolve after the restart', async () => pdActions(fingerprint).length === 2, 20_000);
    expect(pdActions(fingerprint)).toEqual(['trigger', 'resolve']);
    const metrics = await (await fetch(`${bridge.url}/metrics`)).text();
    expect(metrics).toMatch(/ide_bridge_reconciler_resolved_total [1-9]/);
  });

  it("refuses a payload whose fingerprint is not its labels' (a forged alert), and counts it", async () => {
    const labels = { alertname: 'DiskFull', severity: 'critical' };
    const payload = {
      version: '4',
      groupKey: 'forged',
      status: 'firing',
      receiver: 'bridge',
      groupLabels: {},
      commonLabels: labels,
      commonAnnotations: {},
      externalURL: setup.am.url,
      alerts: [
        {
          status: 'firing',
          labels,
          annotations: {},
          startsAt,
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: '',
          fingerprint: alertmanagerFingerprint({ ...labels, instance: 'host-1' }),
        },
      ],
    };
    const answer = await api(`${bridge.url}/api/v1/alertmanager/webhook`, { method: 'POST', body: JSON.stringify(payload) });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toContain('is not the fingerprint of its labels');
    expect(await (await fetch(`${bridge.url}/metrics`)).text()).toContain('ide_bridge_webhook_requests_total{outcome="invalid_fingerprint"} 1');
  });
});
