import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sms } from '../../../../src/bridge/channels/sms/index.js';
import { silentLogger } from '../../../../src/log.js';
import { buildSmsBody, TWILIO_BODY_MAX } from '../../../../src/bridge/channels/sms/message.js';
import { golden } from '../../../support/golden.js';
import { startTwilioSink, TWILIO_SID, TWILIO_TOKEN, type Sink } from '../../../support/sinks.mjs';
import { alertNotification, hugeAlert, payload } from '../fixtures.js';
import { expectWholeCodePoints, notifierOf } from './helpers.js';

describe('the SMS text builder', () => {
  const mixed = payload('firing-and-resolved');

  it('writes one short text per alert event, as the golden file shows', () => {
    golden('sms-texts', {
      firing: buildSmsBody(alertNotification(mixed.alerts[0]!), 320),
      resolved: buildSmsBody(alertNotification({ ...mixed.alerts[1]!, resolution: 'rebooted' }), 320),
    });
  });

  it("cuts at the configured length (never past Twilio's 1600) on code points", () => {
    const huge = alertNotification(hugeAlert(mixed.alerts[0]!));
    for (const max of [160, 320, 1600, 5000]) {
      const body = buildSmsBody(huge, max);
      expect(body.length).toBeLessThanOrEqual(Math.min(max, TWILIO_BODY_MAX));
      expectWholeCodePoints(body);
    }
  });

  it('paces texts to max_per_minute across all recipients', () => {
    const config = sms.schema.parse({ to: '+15550000001, +15550000002', max_per_minute: 20 });
    expect(sms.pacing(config)).toEqual({ concurrency: 1, minIntervalMs: 6000 });
  });
});

describe('the SMS notifier against a Twilio Messages API sink', () => {
  let sink: Sink;
  beforeAll(async () => (sink = await startTwilioSink()));
  afterAll(() => sink.stop());
  const section = (extra: Record<string, unknown> = {}) => ({
    account_sid: TWILIO_SID,
    auth_token: TWILIO_TOKEN,
    from: '+15550001111',
    to: ['+15550000001', '+15550000002'],
    api_url: sink.url.replace(/\/2010-04-01.*$/, ''),
    ...extra,
  });

  it('texts every recipient once (form-encoded, basic auth); after a 429 the retry texts only those still missing', async () => {
    const notifier = notifierOf(sms, section());
    const alert = alertNotification(payload('firing-single').alerts[0]!);
    expect(await notifier.notify(alert, 'one')).toEqual({ outcome: 'delivered', status: 201 });
    expect(sink.accepted().map((r) => r.body)).toEqual([
      { To: '+15550000001', From: '+15550001111', Body: '[FIRING] IdeHostCpuHighUsage (critical) dev-1:10451: CPU usage is high.' },
      { To: '+15550000002', From: '+15550001111', Body: '[FIRING] IdeHostCpuHighUsage (critical) dev-1:10451: CPU usage is high.' },
    ]);
    expect(sink.accepted()[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');

    const other = alertNotification({ ...alert.alert, fingerprint: '2222222222222222', labels: { ...alert.alert.labels, instance: 'dev-2' } });
    const from = sink.requests.length;
    sink.failNext(1, 429, 1, 1);
    expect(await notifier.notify(other, 'two')).toMatchObject({
      outcome: 'retry',
      retryAfterMs: 1000,
      reason: expect.stringMatching(/^to …0002: HTTP 429: .*20429/),
    });
    expect(await notifier.notify(other, 'two')).toEqual({ outcome: 'delivered', status: 201 });
    expect(sink.requests.slice(from).map((r) => `${r.status} ${(r.body as { To: string }).To}`)).toEqual([
      '201 +15550000001',
      '429 +15550000002',
      '201 +15550000002',
    ]);
    expect(sink.duplicates()).toBe(0);
    notifier.close?.();
  });

  it("gives up with Twilio's reason on a bad token (401) or an invalid number (400 21211)", async () => {
    const alert = alertNotification(payload('firing-single').alerts[0]!);
    const badToken = notifierOf(sms, section({ auth_token: 'wrong' }));
    expect(await badToken.notify(alert, 'x')).toMatchObject({ outcome: 'give_up', reason: expect.stringMatching(/HTTP 401: .*20003/) });
    const badNumber = notifierOf(sms, section({ to: 'not-a-number' }));
    expect(await badNumber.notify(alert, 'y')).toMatchObject({ outcome: 'give_up', reason: expect.stringContaining('21211') });
    sink.failNext(1, 503);
    expect(await badNumber.notify(alert, 'z')).toMatchObject({ outcome: 'retry' });
    badToken.close?.();
    badNumber.close?.();
  });

  it('refuses half a configuration when it is read, naming the setting', () => {
    const problems = (section: Record<string, unknown>) => sms.schema.safeParse(section).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(problems({ account_sid: TWILIO_SID })).toEqual([
      'auth_token: set both account_sid and auth_token (or auth_token_file)',
      'from: set from (a Twilio number, E.164) or messaging_service_sid',
      'to: set the recipients (E.164 numbers)',
    ]);
    expect(problems({ account_sid: TWILIO_SID, auth_token: 't', to: ['+15550000001'], messaging_service_sid: 'MG1' })).toBeUndefined();
    expect(sms.create(sms.schema.parse({}), { logger: silentLogger, registry: new Registry() })).toBeUndefined();
  });
});
