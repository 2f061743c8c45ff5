import { describe, expect, it } from 'vitest';
import { buildPagerDutyEvent, PAGERDUTY_SUMMARY_MAX } from '../../../src/bridge/channels/pagerduty/event.js';
import { buildSlackMessage, SLACK_MAX_BLOCKS, SLACK_MAX_CHARS } from '../../../src/bridge/channels/slack/message.js';
import { buildWebhookBody } from '../../../src/bridge/channels/webhook/body.js';
import type { WebhookAlert } from '../../../src/bridge/payload.js';
import { golden } from '../../support/golden.js';
import { pagerDutyProblems } from '../../support/sinks.js';
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
    const many = Array.from({ length: 60 }, (_, i) => ({ ...alert, fingerprint: i.toString(16).padStart(16, '0'), labels: { ...alert.labels, instance: `dev-${i}` } }));
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

  it('escapes mrkdwn control characters from alert text', () => {
    const base = payload('firing-single');
    const alert = { ...base.alerts[0]!, annotations: { summary: '<!channel> & <http://evil|click>' } };
    const text = JSON.stringify(buildSlackMessage(group(base, [alert])));
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;http://evil|click&gt;');
    expect(text).not.toContain('<!channel>');
  });
});

describe('the PagerDuty event builder', () => {
  const notification = (alert: WebhookAlert) => ({ kind: 'alert' as const, receiver: 'bridge', groupKey: 'g', externalURL: 'http://alertmanager.example:9093', alert });

  it('renders a trigger per firing alert and a resolve per resolved one, as the golden files show', () => {
    const mixed = payload('firing-and-resolved');
    golden('pagerduty-trigger', buildPagerDutyEvent(notification(mixed.alerts[0]!), 'ROUTING-KEY'));
    golden('pagerduty-resolve', buildPagerDutyEvent(notification(mixed.alerts[1]!), 'ROUTING-KEY'));
  });

  it('keys incidents by fingerprint, maps severities, and passes PagerDuty\'s own event checks', () => {
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
    const body = buildWebhookBody(group(payload('firing-group')));
    expect(body.version).toBe('1');
    expect(body.source).toBe('ide-monitor');
    expect(body.kind === 'group' ? body.alerts : []).toHaveLength(3);
    expect(body.groupKey).toBe('{}:{alertname="IdeHostCpuHighUsage"}');
  });
});
