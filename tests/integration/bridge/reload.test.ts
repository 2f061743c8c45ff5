import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { startExporter, type RunningExporter } from '../../support/exporter.js';
import { waitFor } from '../../support/ports.mjs';
import { startSlackSink, startWebhookSink } from '../../support/sinks.mjs';
import { alertmanagerFingerprint } from '../../../src/bridge/fingerprint.js';
import { amFixture } from '../../unit/bridge/fixtures.js';

/**
 * A reload of the bridge's routes, channels, actions and webhook token against the real `serve`: what
 * Alertmanager sends after the reload goes where the new file says, and the old token stops working.
 */
describe('the bridge reloading its configuration', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('sends to the rotated Slack URL file and runs the new actions after a reload, and accepts only the new token', async () => {
    const [slackA, slackB, autoscaler] = await Promise.all([startSlackSink(), startSlackSink(), startWebhookSink()]);
    for (const sink of [slackA, slackB, autoscaler]) cleanup.push(() => sink.stop());
    const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-bridge-reload-'));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'config.yml');
    const write = (bridge: Record<string, unknown>) =>
      writeFileSync(
        file,
        dump({ collectors: { hostinfo: { enabled: false } }, status: { enabled: false }, bridge: { data_dir: path.join(dir, 'data'), ...bridge } }),
      );
    const routes = [{ match: { severity: 'critical' }, channels: ['slack'], actions: true }];
    // The Slack URL is a secret in a file: the file is rotated, the config text stays the same.
    const slackUrlFile = path.join(dir, 'slack-url');
    writeFileSync(slackUrlFile, `${slackA.url}\n`, { mode: 0o600 });
    write({ webhook: { token: 'first-token-0001' }, channels: { slack: { webhook_url_file: slackUrlFile } }, routes });
    const exporter: RunningExporter = await startExporter({ args: [`--config.file=${file}`] });
    cleanup.push(() => exporter.stop());
    /** The captured critical alert, or the same on another instance (another alert, its own fingerprint). */
    const send = (token: string, status: 'firing' | 'resolved' = 'firing', instance?: string) => {
      const body = amFixture('firing-single') as { alerts: Array<{ labels: Record<string, string> } & Record<string, unknown>>; status: string };
      body.status = status;
      body.alerts = body.alerts.map((a) => {
        const labels = instance === undefined ? a.labels : { ...a.labels, instance };
        return { ...a, labels, fingerprint: alertmanagerFingerprint(labels), status, ...(status === 'resolved' && { endsAt: '2024-05-01T12:10:00Z' }) };
      });
      return fetch(`${exporter.url}/api/v1/alertmanager/webhook`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    };

    expect((await send('first-token-0001')).status).toBe(200);
    await waitFor('the firing on the first Slack', async () => slackA.accepted().length === 1);

    writeFileSync(slackUrlFile, `${slackB.url}\n`);
    write({
      webhook: { token: 'second-token-0002' },
      channels: { slack: { webhook_url_file: slackUrlFile } },
      routes,
      actions: { definitions: [{ name: 'scale-up', trigger: { http: { url: autoscaler.url } } }] },
      retention: '1d',
    });
    // SIGHUP: with a token configured, POST /-/reload needs an admin principal (access.principals).
    exporter.process.child.kill('SIGHUP');
    await waitFor('the reload', async () => exporter.process.output().includes('msg="configuration reloaded" trigger=SIGHUP'));
    // What the bridge cannot change live is named; what it can is not.
    expect(exporter.process.output()).toContain(
      'msg="these settings change only on restart; the rest of the new configuration is applied" settings=bridge.retention',
    );
    expect(exporter.process.output()).toContain('msg="alert bridge reconfigured" component=bridge channels=slack,log routes=1 actions=1');

    expect((await send('first-token-0001', 'firing', 'dev-2:10451')).status).toBe(401);
    expect((await send('second-token-0002', 'firing', 'dev-2:10451')).status).toBe(200);
    await waitFor('the new alert on the second Slack and the new action run', async () => slackB.accepted().length === 1 && autoscaler.accepted().length === 1);
    // The resolve of the alert that fired before the reload goes to the endpoint configured now.
    expect((await send('second-token-0002', 'resolved')).status).toBe(200);
    await waitFor('the resolve on the second Slack', async () => slackB.accepted().length === 2);
    expect(slackA.accepted()).toHaveLength(1);
    expect(exporter.process.output()).not.toContain('    at ');
  });
});
