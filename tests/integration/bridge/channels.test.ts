import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertmanager, type RunningAlertmanager } from '../../support/alertmanager.mjs';
import { requireBinary } from '../../support/binaries.js';
import { parseSamples } from '../../support/exposition.js';
import { freePort, waitFor } from '../../support/ports.mjs';
import {
  OPSGENIE_KEY,
  startDiscordSink,
  startOpsGenieSink,
  startTeamsSink,
  startTwilioSink,
  TWILIO_SID,
  TWILIO_TOKEN,
  type Sink,
} from '../../support/sinks.mjs';
import { hasAiosmtpd, SMTP_PASSWORD, SMTP_USER, startSmtpServer, TEST_CA_FILE, type SmtpServer } from '../../support/smtp.js';
import { api, startBridge, TOKEN, webhookUrl } from './bridge-process.js';

const amBinary = requireBinary('prometheus-alertmanager', 'prometheus-alertmanager');

type Body = Record<string, unknown>;
/** A Teams message card, as far as the title. */
type TeamsBody = { attachments: Array<{ content: { body: Array<{ text: string }> } }> };
const bodies = (sink: Sink) => sink.accepted().map((r) => r.body as Body);
const discordTitles = (sink: Sink) => bodies(sink).map((b) => String(b['content']));
const teamsTitles = (sink: Sink) => sink.accepted().map((r) => String((r.body as TeamsBody).attachments[0]!.content.body[0]!.text));

/**
 * Every new channel end to end: a real Alertmanager → the real bridge (`ide-monitor serve`, channels from a
 * YAML config, default severity routes) → a real SMTP server (aiosmtpd, STARTTLS + AUTH) and loopback sinks
 * that speak Teams', Discord's, OpsGenie's and Twilio's APIs, including their error and rate-limit answers.
 */
describe.skipIf(amBinary === undefined || !hasAiosmtpd())('every channel behind a real Alertmanager', () => {
  let am: RunningAlertmanager;
  let smtp: SmtpServer;
  let teams: Sink;
  let discord: Sink;
  let opsgenie: Sink;
  let twilio: Sink;
  let bridge: Awaited<ReturnType<typeof startBridge>>;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bridge-channels-'));
  const startsAt = new Date(Date.now() - 60_000).toISOString();
  const base = { job: 'ide-monitor', instance: 'dev-1:10451' };
  const critical = { ...base, alertname: 'IdeHostCpuHighUsage', severity: 'critical' };
  const high = { ...base, alertname: 'IdeLspServerDown', severity: 'high' };
  const medium = { ...base, alertname: 'IdeIndexingSlow', severity: 'medium' };
  const low = { ...base, alertname: 'IdeDiskFillingSlowly', severity: 'low' };
  const summary = (labels: { alertname: string }) => ({ summary: `${labels.alertname} 🔥 summary` });

  beforeAll(async () => {
    [smtp, teams, discord, opsgenie, twilio] = await Promise.all([
      startSmtpServer(),
      startTeamsSink(),
      startDiscordSink(),
      startOpsGenieSink(),
      startTwilioSink(),
    ]);
    const port = await freePort();
    am = await startAlertmanager({ binary: amBinary!, webhookUrl: webhookUrl(port), token: TOKEN });
    bridge = await startBridge({
      port,
      dataDir,
      alertmanagerUrl: am.url,
      bridge: {
        retry: { initial_backoff: '200ms', max_backoff: '2s', max_attempts: 10 },
        // Acks here test the channels, not silences (alertmanager.test.ts does): the resolve still comes from Alertmanager.
        alertmanager: { ack_silence: false },
        channels: {
          email: {
            smtp_host: smtp.host,
            smtp_port: smtp.port,
            ca_file: TEST_CA_FILE,
            username: SMTP_USER,
            password: SMTP_PASSWORD,
            from: 'ide-monitor <alerts@example.org>',
            to: ['dev@example.org'],
            recipients_by_severity: { critical: { to: ['oncall@example.org'], cc: ['dev@example.org'] } },
          },
          teams: { webhook_url: teams.url, messages_per_second: 20, body_template: 'Check {{ labels.instance }} ({{ labels.severity }}, {{ phase }})' },
          discord: { webhook_url: discord.url, messages_per_second: 20 },
          opsgenie: { api_key: OPSGENIE_KEY, api_url: opsgenie.url },
          sms: {
            account_sid: TWILIO_SID,
            auth_token: TWILIO_TOKEN,
            from: '+15550001111',
            to: ['+15550000001'],
            api_url: twilio.url.replace(/\/2010-04-01.*$/, ''),
            max_per_minute: 600,
          },
        },
      },
    });
  });

  afterAll(async () => {
    await bridge?.stop();
    await am?.stop();
    await Promise.all([smtp?.stop(), teams?.stop(), discord?.stop(), opsgenie?.stop(), twilio?.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('fires each severity to its default route, through a 500, a 503 and 429s that are waited out as told', async () => {
    opsgenie.failNext(1, 500);
    teams.failNext(1, 503);
    discord.failNext(1, 429, 1.5);
    twilio.failNext(1, 429, 1);
    await am.postAlerts([critical, high, medium, low].map((labels) => ({ labels, annotations: summary(labels), startsAt })));
    await waitFor(
      'every channel to deliver the firing alerts',
      async () =>
        smtp.messages().length >= 2 &&
        teams.accepted().length >= 3 &&
        discord.accepted().length >= 3 &&
        opsgenie.accepted().length >= 1 &&
        twilio.accepted().length >= 1 &&
        bridge.process.output().includes('IdeDiskFillingSlowly'),
      30_000,
    );
    // critical → email (on-call), Teams, Discord, OpsGenie (P1), SMS; high → email (dev), Teams, Discord; medium → Teams, Discord; low → log.
    const mail = smtp.messages();
    expect(mail.map((m) => `${m.headers['Subject']} → ${m.rcpt_tos.join(',')}`).sort()).toEqual([
      '[FIRING:1] IdeHostCpuHighUsage (critical) → oncall@example.org,dev@example.org',
      '[FIRING:1] IdeLspServerDown (high) → dev@example.org',
    ]);
    expect(mail.every((m) => m.tls && m.authenticated && m.content_type === 'multipart/alternative')).toBe(true);
    expect(mail[0]!.parts.find((p) => p.content_type === 'text/plain')!.content).toContain('🔥 summary');
    const titles = ['[FIRING:1] IdeHostCpuHighUsage (critical)', '[FIRING:1] IdeIndexingSlow (medium)', '[FIRING:1] IdeLspServerDown (high)'];
    expect(teamsTitles(teams).sort()).toEqual(titles);
    // Teams has a body_template: each alert's text is rendered from it.
    expect(JSON.stringify(bodies(teams))).toContain('"text":"Check dev-1:10451 (critical, trigger)"');
    expect(
      discordTitles(discord)
        .map((t) => t.replace(/^\*\*(.*)\*\*.*$/s, '$1'))
        .sort(),
    ).toEqual(titles);
    const [create] = bodies(opsgenie);
    expect(create).toMatchObject({
      message: 'IdeHostCpuHighUsage: IdeHostCpuHighUsage 🔥 summary',
      priority: 'P1',
      source: 'ide-monitor',
      entity: 'dev-1:10451',
    });
    expect(opsgenie.accepted()).toHaveLength(1);
    expect(bodies(twilio)).toEqual([
      { To: '+15550000001', From: '+15550001111', Body: '[FIRING] IdeHostCpuHighUsage (critical) dev-1:10451: IdeHostCpuHighUsage 🔥 summary' },
    ]);
    const log = bridge.process.output();
    expect(log).toMatch(
      /level=info msg="alert firing" component=bridge channel=log alertname=IdeDiskFillingSlowly severity=low fingerprint=\w+ where=dev-1:10451/,
    );

    // The failures: each retried, the 429s not before the time they gave.
    expect(opsgenie.requests[0]!.status).toBe(500);
    expect(teams.requests[0]!.status).toBe(503);
    const discordWait = discord.requests[1]!.at - discord.requests[0]!.at;
    expect(discord.requests[0]!.status).toBe(429);
    expect(discordWait).toBeGreaterThanOrEqual(1450);
    expect(twilio.requests[0]!.status).toBe(429);
    expect(twilio.requests[1]!.at - twilio.requests[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('acknowledges natively at OpsGenie, as short messages on email, Teams and Discord, and not by SMS', async () => {
    const { body } = await api(`${bridge.url}/api/v1/alerts`);
    const alert = body.alerts.find((a: { alertname: string }) => a.alertname === 'IdeHostCpuHighUsage')!;
    const counts = { mail: smtp.messages().length, teams: teams.accepted().length, discord: discord.accepted().length, sms: twilio.accepted().length };
    const ack = await api(`${bridge.url}/api/v1/alerts/${alert.fingerprint}/ack`, {
      method: 'POST',
      body: JSON.stringify({ comment: 'looking into it', createdBy: 'alice' }),
    });
    expect(ack.status).toBe(201);
    await waitFor(
      'the ack on every channel that shows acks',
      async () =>
        opsgenie.accepted().length >= 2 &&
        smtp.messages().length > counts.mail &&
        teams.accepted().length > counts.teams &&
        discord.accepted().length > counts.discord,
      20_000,
    );
    expect(opsgenie.accepted()[1]!.url).toBe(`/v2/alerts/${alert.fingerprint}/acknowledge?identifierType=alias`);
    // Only the shared webhook token here: the claimed name is kept, marked unverified (SECURITY.md, access levels).
    expect(opsgenie.accepted()[1]!.body).toEqual({ user: 'alice (unverified: shared webhook token)', source: 'ide-monitor', note: 'looking into it' });
    const line = '[ACKNOWLEDGED] IdeHostCpuHighUsage (dev-1:10451) by alice (unverified: shared webhook token)';
    expect(smtp.messages().at(-1)!.headers['Subject']).toBe(line);
    expect(teamsTitles(teams).at(-1)).toBe(line);
    expect(discordTitles(discord).at(-1)).toBe(line);
    // The critical route has no log channel.
    expect(bridge.process.output()).not.toMatch(/msg="alert acknowledged" component=bridge channel=log/);
    expect(twilio.accepted()).toHaveLength(counts.sms);
  });

  it('resolves everywhere: OpsGenie closes by alias, chat and email say RESOLVED, SMS texts it, the log logs it', async () => {
    const endsAt = new Date().toISOString();
    await am.postAlerts([critical, high, medium, low].map((labels) => ({ labels, annotations: summary(labels), startsAt, endsAt })));
    await waitFor(
      'the resolves',
      async () =>
        opsgenie.accepted().some((r) => r.url.includes('/close?')) &&
        twilio.accepted().length >= 2 &&
        teamsTitles(teams).filter((t) => t.startsWith('[RESOLVED]')).length >= 3 &&
        discordTitles(discord).filter((t) => t.includes('[RESOLVED]')).length >= 3 &&
        smtp.messages().filter((m) => m.headers['Subject']!.startsWith('[RESOLVED]')).length >= 2 &&
        /msg="alert resolved" component=bridge channel=log alertname=IdeDiskFillingSlowly/.test(bridge.process.output()),
      30_000,
    );
    const close = opsgenie.accepted().find((r) => r.url.includes('/close?'))!;
    const fingerprint = String(bodies(opsgenie)[0]!['alias']);
    expect(close.url).toBe(`/v2/alerts/${fingerprint}/close?identifierType=alias`);
    expect(bodies(twilio).at(-1)!['Body']).toBe('[RESOLVED] IdeHostCpuHighUsage (critical) dev-1:10451: IdeHostCpuHighUsage 🔥 summary');
    // The resolved email goes to the same thread as the firing one.
    const thread = smtp.messages().filter((m) => m.headers['Subject']!.includes('IdeHostCpuHighUsage (critical)'));
    expect(new Set(thread.map((m) => m.headers['References'])).size).toBe(1);
    expect(opsgenie.duplicates()).toBe(0);
    expect(twilio.duplicates()).toBe(0);
  });

  it("dead-letters on 401/403 with the service's reason, and counts every outcome", async () => {
    teams.failNext(1, 403);
    discord.failNext(1, 401);
    opsgenie.failNext(1, 401);
    twilio.failNext(1, 401);
    const labels = { ...base, alertname: 'IdeBadCredentials', severity: 'critical' };
    await am.postAlerts([{ labels, annotations: summary(labels), startsAt: new Date().toISOString() }]);
    let deliveries: Array<{ channel: string; state: string; lastError: string | null }> = [];
    await waitFor(
      'four dead letters and the email',
      async () => {
        const { body } = await api(`${bridge.url}/api/v1/alerts`);
        deliveries = body.alerts.find((a: { alertname: string }) => a.alertname === 'IdeBadCredentials')?.deliveries ?? [];
        return deliveries.filter((d) => d.state === 'dead').length >= 4 && deliveries.some((d) => d.channel === 'email' && d.state === 'delivered');
      },
      20_000,
    );
    const dead = Object.fromEntries(deliveries.filter((d) => d.state === 'dead').map((d) => [d.channel, d.lastError]));
    expect(dead).toEqual({
      teams: 'rejected: HTTP 403: internal_error',
      discord: 'rejected: HTTP 401: {"message":"401: Unauthorized","code":0}',
      opsgenie: expect.stringMatching(/^rejected: HTTP 401/),
      sms: expect.stringMatching(/^rejected: to …0001: HTTP 401/),
    });

    const samples = parseSamples(await (await fetch(`${bridge.url}/metrics`)).text());
    const value = (name: string, labels: Record<string, string>) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    for (const channel of ['teams', 'discord', 'opsgenie', 'sms']) {
      expect(value('ide_bridge_notifications_total', { channel, outcome: 'failed' }), channel).toBe(1);
      expect(value('ide_bridge_notifications_total', { channel, outcome: 'retried' }), channel).toBe(1);
    }
    expect(value('ide_bridge_notifications_total', { channel: 'email', outcome: 'delivered' })).toBe(smtp.messages().length);
    expect(value('ide_bridge_log_notifications_total', { kind: 'firing', severity: 'low' })).toBe(1);
    expect(value('ide_bridge_log_notifications_total', { kind: 'resolved', severity: 'low' })).toBe(1);
  });

  it('paces an SMS storm at max_per_minute (600: 100 ms apart) and drops none', async () => {
    const before = twilio.accepted().length;
    const storm = Array.from({ length: 6 }, (_, i) => ({ ...base, alertname: 'IdeSmsStorm', severity: 'critical', instance: `dev-${i}:10451` }));
    await am.postAlerts(storm.map((labels) => ({ labels, annotations: summary(labels), startsAt: new Date().toISOString() })));
    await waitFor('six texts', async () => twilio.accepted().length >= before + 6, 20_000);
    const texts = twilio.accepted().slice(before);
    expect(texts.map((r) => (r.body as Body)['Body']).sort()).toEqual(
      storm.map((l) => `[FIRING] IdeSmsStorm (critical) ${l.instance}: IdeSmsStorm 🔥 summary`).sort(),
    );
    // Paced at the sender: starts are 100 ms apart; arrivals jitter by the request's own latency, so the
    // span of six is judged, and no two may arrive nearly together.
    expect(texts.at(-1)!.at - texts[0]!.at).toBeGreaterThanOrEqual(5 * 100 - 20);
    for (let i = 1; i < texts.length; i++) expect(texts[i]!.at - texts[i - 1]!.at).toBeGreaterThanOrEqual(60);
  });

  it('never writes a secret to its log', () => {
    const log = bridge.process.output();
    for (const secret of [TOKEN, OPSGENIE_KEY, TWILIO_TOKEN, SMTP_PASSWORD, 'SECRET-TOKEN', 'sig=SECRET']) expect(log).not.toContain(secret);
  });
});
