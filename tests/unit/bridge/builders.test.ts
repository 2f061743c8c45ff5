import { describe, expect, it } from 'vitest';
import { buildPagerDutyEvent, PAGERDUTY_EVENT_MAX_BYTES, PAGERDUTY_SUMMARY_MAX } from '../../../src/bridge/channels/pagerduty/event.js';
import { buildSlackAckMessage, buildSlackMessage, SLACK_MAX_BLOCKS, SLACK_MAX_CHARS } from '../../../src/bridge/channels/slack/message.js';
import { buildWebhookBody } from '../../../src/bridge/channels/webhook/body.js';
import type { AlertNotification, GroupNotification } from '../../../src/bridge/notification.js';
import type { WebhookAlert } from '../../../src/bridge/payload.js';
import { golden } from '../../support/golden.js';
import { pagerDutyProblems } from '../../support/sinks.mjs';
import { group, payload } from './fixtures.js';

describe('the Slack message builder', () => {
  it('renders real Alertmanager groups as the golden files show', () => {
    for (const name of ['firing-single', 'firing-and-resolved', 'resolved-group']) golden(`slack-${name}`, buildSlackMessage(group(payload(name))));
  });

  it('colours by severity while firing and green when resolved, and links runbook, dashboard, source and a silence', () => {
    const firing = buildSlackMessage(group(payload('firing-single')));
    expect(firing.attachments[0]!.color).toBe('#E01E5A');
    expect(firing.text).toBe('[FIRING:1] IdeHostCpuHighUsage (critical): CPU usage is high.');
    const text = JSON.stringify(firing);
    expect(text).toContain('<https://github.com/example/ide-monitor/blob/main/docs/runbook.md#idehostcpuhighusage|Runbook>');
    expect(text).toContain('<http://grafana.example:3000/d/ide-host|Dashboard>');
    expect(text).toContain('|Source>');
    expect(text).toContain('<http://alertmanager.example:9093/#/silences/new?filter=%7Balertname%3D%22IdeHostCpuHighUsage%22');
    const resolved = buildSlackMessage(group(payload('resolved-group')));
    expect(resolved.attachments[0]!.color).toBe('#2EB67D');
    expect(resolved.text.startsWith('[RESOLVED] IdeHostCpuHighUsage')).toBe(true);
  });

  it('stays within 50 blocks and 40,000 characters, saying how many alerts it left out', () => {
    const base = payload('firing-single');
    const alert = base.alerts[0]!;
    const many = Array.from({ length: 60 }, (_, i) => ({
      ...alert,
      fingerprint: i.toString(16).padStart(16, '0'),
      labels: { ...alert.labels, instance: `dev-${i}` },
    }));
    const message = buildSlackMessage(group(base, many));
    const blocks = message.attachments[0]!.blocks;
    expect(blocks.length).toBeLessThanOrEqual(SLACK_MAX_BLOCKS);
    expect(JSON.stringify(blocks.at(-1))).toMatch(/…\d+ more alerts not shown \(Slack message limits\)/);
    const huge = many.map((a) => ({ ...a, annotations: { ...a.annotations, description: 'x'.repeat(5000) } }));
    const big = buildSlackMessage(group(base, huge));
    expect(JSON.stringify(big).length).toBeLessThanOrEqual(SLACK_MAX_CHARS + 2000);
    const shownSections = big.attachments[0]!.blocks.filter((b: Record<string, unknown>) => b['type'] === 'section').length;
    expect(shownSections).toBeLessThan(60);
    expect(JSON.stringify(big.attachments[0]!.blocks.at(-1))).toContain(`${60 - shownSections} more alerts not shown`);
  });

  it('escapes mrkdwn control characters from alert text, the top-level text included', () => {
    const base = payload('firing-single');
    const alert = { ...base.alerts[0]!, annotations: { summary: '<!channel> & <https://evil|click>' } };
    const message = buildSlackMessage(group({ ...base, commonAnnotations: alert.annotations }, [alert]));
    const text = JSON.stringify(message);
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;https://evil|click&gt;');
    expect(text).not.toContain('<!channel>');
    expect(message.text).not.toContain('<');
  });

  it('shows the title once: as the message text, not again in a header block', () => {
    const message = buildSlackMessage(group(payload('firing-single')));
    expect(message.text.startsWith('[FIRING:1] IdeHostCpuHighUsage (critical)')).toBe(true);
    expect(JSON.stringify(message.attachments[0]!.blocks)).not.toContain('[FIRING:1]');
  });

  it('keeps every link whole: a 4,000-character runbook URL is left out alone, the other links stay', () => {
    const base = payload('firing-single');
    const alert = base.alerts[0]!;
    const longRunbook = `https://runbooks.example/${'a'.repeat(4000)}`;
    const message = buildSlackMessage(group(base, [{ ...alert, annotations: { ...alert.annotations, runbook_url: longRunbook } }]));
    const contexts = message.attachments[0]!.blocks.filter((b: Record<string, unknown>) => b['type'] === 'context');
    const texts = contexts.flatMap((c: Record<string, unknown>) => (c['elements'] as Array<{ text: string }>).map((e) => e.text));
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(3000);
    const links = texts.filter((t: string) => t.startsWith('<http'));
    expect(links.map((l: string) => l.replace(/^.*\|/, '').replace('>', ''))).toEqual(['Dashboard', 'Source', 'Silence']);
    for (const l of links) expect(l).toMatch(/^<https?:\/\/[^|]+\|[A-Za-z]+>$/);
  });

  it('never splits a surrogate pair when it cuts text', () => {
    const base = payload('firing-single');
    const alert = base.alerts[0]!;
    for (const shift of [0, 1]) {
      const description = `${'x'.repeat(shift)}${'😀'.repeat(3000)}`;
      const message = buildSlackMessage(group(base, [{ ...alert, annotations: { ...alert.annotations, description } }]));
      // A lone surrogate would not survive a UTF-8 round trip.
      const text = JSON.stringify(message);
      expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
      expect(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text)).toBe(false);
    }
  });

  it('announces an acknowledgement with who and the comment, escaped', () => {
    const alert = payload('firing-single').alerts[0]!;
    const message = buildSlackAckMessage({
      kind: 'ack',
      groupKey: 'g',
      externalURL: '',
      alert,
      action: 'acknowledged',
      by: 'alice <!here>',
      at: '2024-05-01T12:01:00Z',
      comment: 'on it & looking',
    });
    expect(message.text).toBe('[ACKNOWLEDGED] IdeHostCpuHighUsage (dev-1:10451) by alice &lt;!here&gt;');
    expect(JSON.stringify(message)).toContain('on it &amp; looking');
  });
});

describe('the PagerDuty event builder', () => {
  const notification = (alert: WebhookAlert): AlertNotification => ({
    kind: 'alert',
    receiver: 'bridge',
    groupKey: 'g',
    externalURL: 'http://alertmanager.example:9093',
    alert,
  });

  it('renders a trigger per firing alert and a resolve per resolved one, as the golden files show', () => {
    const mixed = payload('firing-and-resolved');
    golden('pagerduty-trigger', buildPagerDutyEvent(notification(mixed.alerts[0]!), 'ROUTING-KEY'));
    golden('pagerduty-resolve', buildPagerDutyEvent(notification(mixed.alerts[1]!), 'ROUTING-KEY'));
  });

  it("keys incidents by fingerprint, maps severities, and passes PagerDuty's own event checks", () => {
    const alert = payload('firing-single').alerts[0]!;
    const trigger = buildPagerDutyEvent(notification(alert), 'k');
    const resolve = buildPagerDutyEvent(notification({ ...alert, status: 'resolved' }), 'k');
    expect(trigger.dedup_key).toBe(`ide-monitor/${alert.fingerprint}`);
    expect(resolve.dedup_key).toBe(trigger.dedup_key);
    expect(pagerDutyProblems(trigger)).toEqual([]);
    expect(pagerDutyProblems(resolve)).toEqual([]);
    const severity = (s: string) => buildPagerDutyEvent(notification({ ...alert, labels: { ...alert.labels, severity: s } }), 'k').payload!.severity;
    expect(['critical', 'high', 'medium', 'low', 'page'].map(severity)).toEqual(['critical', 'error', 'warning', 'info', 'error']);
  });

  it('stays under 512 KB with a 600 KB description, sent once (Alertmanager sent 20 KB for the same alert)', () => {
    const alert = payload('firing-single').alerts[0]!;
    const description = 'd'.repeat(600 * 1024);
    const event = buildPagerDutyEvent(notification({ ...alert, annotations: { ...alert.annotations, description, other: 'o'.repeat(300 * 1024) } }), 'k');
    const size = Buffer.byteLength(JSON.stringify(event), 'utf8');
    expect(size).toBeLessThan(PAGERDUTY_EVENT_MAX_BYTES);
    expect(size).toBeLessThan(40 * 1024);
    expect(JSON.stringify(event).split('dddddddddd').length).toBeLessThan(2000);
    expect(event.payload!.custom_details['annotations']).not.toHaveProperty('description');
    expect(pagerDutyProblems(event)).toEqual([]);
  });

  it('acknowledges on the same dedup key, and re-triggers when the ack is withdrawn', () => {
    const alert = payload('firing-single').alerts[0]!;
    const ack = { kind: 'ack' as const, groupKey: 'g', externalURL: '', alert, by: 'alice', at: '2024-05-01T12:01:00Z', comment: '' };
    const acknowledge = buildPagerDutyEvent({ ...ack, action: 'acknowledged' }, 'k');
    expect(acknowledge).toEqual({ routing_key: 'k', dedup_key: `ide-monitor/${alert.fingerprint}`, client: 'ide-monitor', event_action: 'acknowledge' });
    expect(buildPagerDutyEvent({ ...ack, action: 'unacknowledged' }, 'k').event_action).toBe('trigger');
  });

  it('cuts the summary to 1024 characters', () => {
    const alert = payload('firing-single').alerts[0]!;
    const long = buildPagerDutyEvent(notification({ ...alert, annotations: { summary: 'y'.repeat(5000) } }), 'k');
    expect(long.payload!.summary.length).toBe(PAGERDUTY_SUMMARY_MAX);
    expect(long.payload!.summary.endsWith('…')).toBe(true);
    expect(pagerDutyProblems(long)).toEqual([]);
  });
});

describe('the outgoing webhook body', () => {
  it('is the group as Alertmanager sent it, with a version and source', () => {
    const body = buildWebhookBody(group(payload('firing-group'))) as GroupNotification & { version: string; source: string };
    expect(body.version).toBe('1');
    expect(body.source).toBe('ide-monitor');
    expect(body.kind === 'group' ? body.alerts : []).toHaveLength(3);
    expect(body.groupKey).toBe('{}:{alertname="IdeHostCpuHighUsage"}');
  });
});
