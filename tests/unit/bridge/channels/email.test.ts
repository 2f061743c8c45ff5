import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifySmtpError, email } from '../../../../src/bridge/channels/email/index.js';
import { buildAckEmail, buildEmail, EMAIL_BODY_MAX_BYTES, EMAIL_SUBJECT_MAX, threadId } from '../../../../src/bridge/channels/email/message.js';
import { golden } from '../../../support/golden.js';
import { hasAiosmtpd, SMTP_PASSWORD, SMTP_USER, startSmtpServer, TEST_CA_FILE, type SmtpServer } from '../../../support/smtp.js';
import { ackNotification, group, hugeAlert, payload } from '../fixtures.js';
import { expectWholeCodePoints, notifierOf } from './helpers.js';

describe('the email builder', () => {
  it('renders real Alertmanager groups and an ack as the golden files show (subject, text and HTML)', () => {
    for (const name of ['firing-and-resolved', 'resolved-group']) {
      const message = buildEmail(group(payload(name)));
      golden(`email-${name}`, { subject: message.subject, references: message.references });
      golden(`email-${name}`, message.text, 'txt');
      golden(`email-${name}`, message.html, 'html');
    }
    const ack = buildAckEmail(ackNotification(payload('firing-single').alerts[0]!));
    golden('email-ack', ack);
  });

  it("titles the subject like Alertmanager's, threads a group's messages, and escapes alert text in HTML", () => {
    const p = payload('firing-and-resolved');
    expect(buildEmail(group(p)).subject).toBe('[FIRING:2, 1 resolved] IdeHostCpuHighUsage (critical)');
    expect(buildEmail(group(p, p.alerts.slice(0, 1))).subject).toBe('[FIRING:1] IdeHostCpuHighUsage (critical)');
    expect(buildAckEmail(ackNotification(p.alerts[0]!)).references).toBe(threadId('{}:{alertname="IdeHostCpuHighUsage"}'));
    const evil = { ...p.alerts[0]!, annotations: { summary: '<script>alert(1)</script> & "quotes"' } };
    const html = buildEmail(group(p, [evil])).html;
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(html).not.toContain('<script>');
  });

  it('keeps huge emoji alerts bounded, cut on code points', () => {
    const base = payload('firing-single');
    const many = Array.from({ length: 150 }, (_, i) => hugeAlert(base.alerts[0]!, i));
    const message = buildEmail(group(base, many));
    expect(message.subject.length).toBeLessThanOrEqual(EMAIL_SUBJECT_MAX);
    expect(Buffer.byteLength(message.text) + Buffer.byteLength(message.html)).toBeLessThanOrEqual(EMAIL_BODY_MAX_BYTES + 4096);
    const shown = message.text.split('(FIRING since').length - 1;
    expect(shown).toBeGreaterThan(0);
    expect(message.text.endsWith(`…${150 - shown} more alerts not shown.\n`)).toBe(true);
    expectWholeCodePoints(message);
  });

  it('titles a mixed group by its worst severity, warning ranking as high and info as low', () => {
    const p = payload('firing-single');
    const at = (severity: string, i: number) => ({ ...p.alerts[0]!, fingerprint: `${i}`.padStart(16, '0'), labels: { ...p.alerts[0]!.labels, severity } });
    expect(buildEmail(group(p, [at('low', 1), at('warning', 2)])).subject).toBe('[FIRING:2] IdeHostCpuHighUsage (warning)');
    expect(buildEmail(group(p, [at('info', 1), at('low', 2)])).subject).toBe('[FIRING:2] IdeHostCpuHighUsage (low)');
  });

  it('reads SMTP replies: 4xx retried, 5xx given up with the reason, no reply retried', () => {
    expect(classifySmtpError({ responseCode: 451, code: 'EENVELOPE', response: '451 4.3.0 try later' })).toEqual({
      outcome: 'retry',
      reason: 'SMTP 451 (EENVELOPE): 451 4.3.0 try later',
    });
    expect(classifySmtpError({ responseCode: 535, code: 'EAUTH', response: '535 5.7.8 Authentication credentials invalid' })).toMatchObject({
      outcome: 'give_up',
    });
    expect(classifySmtpError({ code: 'ECONNECTION', message: 'connect ECONNREFUSED 127.0.0.1:1' })).toMatchObject({
      outcome: 'retry',
      reason: 'SMTP ECONNECTION: connect ECONNREFUSED 127.0.0.1:1',
    });
  });

  it('refuses half a configuration when it is read, naming the setting', () => {
    const problems = (section: Record<string, unknown>) => email.schema.safeParse(section).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(problems({ smtp_host: 'mail.example' })).toEqual([
      'from: set the sender address along with smtp_host',
      'to: set recipients (to, cc or recipients_by_severity) along with smtp_host',
    ]);
    expect(problems({ smtp_host: 'mail.example', from: 'a@example.org', to: 'b@example.org', username: 'u' })).toEqual([
      'password: set both username and password (or password_file) for SMTP AUTH, or neither',
    ]);
    expect(problems({ to: 'b@example.org' })).toBeUndefined();
    expect(() => notifierOf(email, { smtp_host: 'mail.example', from: 'a@example.org', to: 'b@example.org', ca_file: '/nonexistent/ca.pem' })).toThrow(
      'config bridge.channels.email.ca_file: cannot read /nonexistent/ca.pem: ENOENT',
    );
    expect(email.schema.parse({ to: 'a@example.org, b@example.org' })).toMatchObject({
      to: ['a@example.org', 'b@example.org'],
      smtp_port: 587,
      require_tls: true,
    });
  });
});

describe.skipIf(!hasAiosmtpd())('the email notifier against a real SMTP server (aiosmtpd, STARTTLS + AUTH)', () => {
  let smtp: SmtpServer;
  beforeAll(async () => (smtp = await startSmtpServer()));
  afterAll(() => smtp?.stop());
  const section = (extra: Record<string, unknown> = {}) => ({
    smtp_host: smtp.host,
    smtp_port: smtp.port,
    ca_file: TEST_CA_FILE,
    username: SMTP_USER,
    password: SMTP_PASSWORD,
    from: 'ide-monitor <alerts@example.org>',
    to: ['dev@example.org'],
    cc: ['lead@example.org'],
    recipients_by_severity: { critical: { to: ['oncall@example.org'], cc: ['dev@example.org'] } },
    timeout: '5s',
    ...extra,
  });

  it("sends one multipart (text + HTML) message over STARTTLS with AUTH, to the severity's recipients", async () => {
    const notifier = notifierOf(email, section());
    const p = payload('firing-and-resolved');
    expect(await notifier.notify(group(p), 'k')).toEqual({ outcome: 'delivered' });
    const high = { ...p.alerts[0]!, labels: { ...p.alerts[0]!.labels, severity: 'high' } };
    expect(await notifier.notify(group(p, [high]), 'k2')).toEqual({ outcome: 'delivered' });
    expect(await notifier.notify(ackNotification(p.alerts[0]!), 'k3')).toEqual({ outcome: 'delivered' });
    notifier.close?.();
    const [critical, other, ack] = smtp.messages();
    expect(critical).toMatchObject({
      tls: true,
      authenticated: true,
      login: SMTP_USER,
      mail_from: 'alerts@example.org',
      rcpt_tos: ['oncall@example.org', 'dev@example.org'],
      content_type: 'multipart/alternative',
    });
    expect(critical!.headers).toMatchObject({
      Subject: '[FIRING:2, 1 resolved] IdeHostCpuHighUsage (critical)',
      From: 'ide-monitor <alerts@example.org>',
      To: 'oncall@example.org',
      Cc: 'dev@example.org',
    });
    const expected = buildEmail(group(p));
    expect(critical!.parts.map((part) => part.content_type)).toEqual(['text/plain', 'text/html']);
    expect(critical!.parts[0]!.content.replace(/\r\n/g, '\n').trimEnd()).toBe(expected.text.trimEnd());
    expect(critical!.parts[1]!.content.replace(/\r\n/g, '\n').trimEnd()).toBe(expected.html.trimEnd());
    expect(critical!.headers['References']).toBe(expected.references);
    expect(other).toMatchObject({ rcpt_tos: ['dev@example.org', 'lead@example.org'], headers: { Subject: '[FIRING:1] IdeHostCpuHighUsage (high)' } });
    expect(ack!.headers['Subject']).toBe('[ACKNOWLEDGED] IdeHostCpuHighUsage (dev-1:10451) by alice');
    expect(ack!.headers['In-Reply-To']).toBe(expected.references);
  });

  it('carries emoji and non-Latin text intact through MIME encoding', async () => {
    const notifier = notifierOf(email, section());
    const p = payload('firing-single');
    const alert = { ...p.alerts[0]!, annotations: { summary: 'Ünïcödé 🔥 检查', description: '日本語の説明 ✅' } };
    expect(await notifier.notify(group({ ...p, commonAnnotations: {} }, [alert]), 'u')).toEqual({ outcome: 'delivered' });
    notifier.close?.();
    const received = smtp.messages().at(-1)!;
    expect(received.parts[0]!.content).toContain('Ünïcödé 🔥 检查');
    expect(received.parts[0]!.content).toContain('日本語の説明 ✅');
    expect(received.parts[1]!.content).toContain('Ünïcödé 🔥 检查');
  });

  it('keeps a line break in alert data out of the headers (no injected Bcc)', async () => {
    const notifier = notifierOf(email, section({ recipients_by_severity: {} }));
    const p = payload('firing-single');
    const alert = { ...p.alerts[0]!, labels: { ...p.alerts[0]!.labels, alertname: 'Evil\r\nBcc: thief@example.net' } };
    expect(await notifier.notify(group({ ...p, groupLabels: {}, commonLabels: {} }, [alert]), 'h')).toEqual({ outcome: 'delivered' });
    notifier.close?.();
    const received = smtp.messages().at(-1)!;
    expect(received.rcpt_tos).toEqual(['dev@example.org', 'lead@example.org']);
    expect(received.headers['Subject']).toBe('[FIRING:1] Evil Bcc: thief@example.net (critical)');
    expect(received.raw.split('\r\n\r\n')[0]).not.toMatch(/^Bcc:/m);
  });

  it("gives up on 535 (bad password) and 550 (unknown mailbox) with the server's reason; retries 451 and a refused connection", async () => {
    const n = group(payload('firing-single'));
    const badPassword = notifierOf(email, section({ password: 'wrong' }));
    expect(await badPassword.notify(n, 'a')).toMatchObject({ outcome: 'give_up', reason: expect.stringMatching(/^SMTP 535 \(EAUTH\)/) });
    const unknown = notifierOf(email, section({ recipients_by_severity: {}, to: ['reject-me@example.org'], cc: [] }));
    expect(await unknown.notify(n, 'b')).toMatchObject({ outcome: 'give_up', reason: expect.stringContaining('550 5.1.1') });
    const greylisted = notifierOf(email, section({ recipients_by_severity: {}, to: ['later-me@example.org'], cc: [] }));
    expect(await greylisted.notify(n, 'c')).toMatchObject({ outcome: 'retry', reason: expect.stringContaining('451 4.3.0') });
    const nobody = notifierOf(email, section({ smtp_port: 1 }));
    expect(await nobody.notify(n, 'd')).toMatchObject({ outcome: 'retry', reason: expect.stringMatching(/^SMTP (ECONNECTION|ESOCKET)/) });
    const untrusted = notifierOf(email, section({ ca_file: undefined }));
    expect(await untrusted.notify(n, 'e')).toMatchObject({ outcome: 'retry', reason: expect.stringMatching(/certificate/) });
    for (const notifier of [badPassword, unknown, greylisted, nobody, untrusted]) notifier.close?.();
  });
});
