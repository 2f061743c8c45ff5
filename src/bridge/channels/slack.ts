import type { GroupNotification } from '../intake.js';
import type { WebhookAlert } from '../payload.js';
import { createHttpClient, type ChannelHttp } from './http.js';
import { isHttpUrl, silenceLink, truncate, worstSeverity } from './format.js';
import type { DeliveryResult, Notifier } from './notifier.js';

/** Slack's documented limits for one message. */
export const SLACK_MAX_BLOCKS = 50;
export const SLACK_MAX_CHARS = 40_000;
const SECTION_MAX = 3000;
const HEADER_MAX = 150;

const COLOURS: Record<string, string> = {
  critical: '#E01E5A',
  high: '#F2711C',
  medium: '#ECB22E',
  low: '#439FE0',
};
const RESOLVED_COLOUR = '#2EB67D';
const UNKNOWN_COLOUR = '#868E96';

/** Labels every Slack reader can do without: shown in the title or carried by every alert of our rules. */
const QUIET_LABELS = new Set(['alertname', 'severity']);

type Block = Record<string, unknown>;

export interface SlackMessage {
  readonly text: string;
  readonly attachments: Array<{ color: string; fallback: string; blocks: Block[] }>;
}

/**
 * One message per group: a title with the state, count and alert name, then each alert (firing first)
 * with its summary, description, the labels that tell it apart and its links. Over 50 blocks or 40,000
 * characters, the last alerts are dropped and a note says how many are not shown.
 */
export function buildSlackMessage(notification: GroupNotification): SlackMessage {
  const firing = notification.alerts.filter((a) => a.status === 'firing');
  const resolved = notification.alerts.filter((a) => a.status === 'resolved');
  const ordered = [...firing, ...resolved];
  const severity = worstSeverity(firing.length > 0 ? firing : resolved);
  const colour = notification.status === 'resolved' ? RESOLVED_COLOUR : (COLOURS[severity] ?? UNKNOWN_COLOUR);
  const name = notification.groupLabels['alertname'] ?? notification.commonLabels['alertname'] ?? ordered[0]?.labels['alertname'] ?? 'alerts';
  const state = notification.status === 'firing' ? `FIRING:${firing.length}` : 'RESOLVED';
  const resolvedNote = notification.status === 'firing' && resolved.length > 0 ? `, ${resolved.length} resolved` : '';
  const title = `[${state}${resolvedNote}] ${name}${severity === '' ? '' : ` (${severity})`}`;
  const fallback = truncate(`${title}: ${notification.commonAnnotations['summary'] ?? ordered[0]?.annotations['summary'] ?? ''}`.trim(), 1000);

  const head: Block[] = [{ type: 'header', text: { type: 'plain_text', text: truncate(title, HEADER_MAX), emoji: true } }];
  const common = Object.entries(notification.commonLabels).filter(([label]) => !QUIET_LABELS.has(label));
  if (common.length > 0) head.push(context([labelsText(common)]));

  const perAlert = ordered.map((alert) => alertBlocks(alert, notification));
  const hiddenByAlertmanager = notification.truncatedAlerts;
  let shown = perAlert.length;
  const assemble = (count: number): Block[] => {
    const blocks = [...head, ...perAlert.slice(0, count).flat()];
    const hidden = perAlert.length - count + hiddenByAlertmanager;
    if (hidden > 0) {
      const parts = [`${perAlert.length - count} more alert${perAlert.length - count === 1 ? '' : 's'} not shown (Slack message limits)`];
      if (hiddenByAlertmanager > 0) parts.push(`${hiddenByAlertmanager} truncated by Alertmanager (max_alerts)`);
      blocks.push(context([`_…${parts.filter((p) => !p.startsWith('0 ')).join('; ')}._`]));
    }
    return blocks;
  };
  let blocks = assemble(shown);
  while (shown > 0 && (blocks.length > SLACK_MAX_BLOCKS || JSON.stringify(blocks).length + fallback.length > SLACK_MAX_CHARS)) {
    shown -= 1;
    blocks = assemble(shown);
  }
  return { text: fallback, attachments: [{ color: colour, fallback, blocks }] };
}

function alertBlocks(alert: WebhookAlert, notification: GroupNotification): Block[] {
  const icon = alert.status === 'firing' ? ':red_circle:' : ':large_green_circle:';
  const summary = alert.annotations['summary'] ?? notification.commonAnnotations['summary'] ?? alert.labels['alertname'] ?? 'alert';
  const description = alert.annotations['description'] ?? alert.annotations['message'] ?? '';
  const since = alert.status === 'firing' ? `since ${alert.startsAt}` : `resolved ${alert.endsAt}`;
  const text = `${icon} *${escape(summary)}* _(${since})_${description === '' ? '' : `\n${escape(description)}`}`;
  const own = Object.entries(alert.labels).filter(([label, value]) => !QUIET_LABELS.has(label) && notification.commonLabels[label] !== value);
  const elements: string[] = [];
  if (own.length > 0) elements.push(labelsText(own));
  const links = [
    link(alert.annotations['runbook_url'], 'Runbook'),
    link(alert.annotations['dashboard_url'], 'Dashboard'),
    link(alert.generatorURL, 'Source'),
    alert.status === 'firing' ? link(silenceLink(notification.externalURL, alert.labels), 'Silence') : undefined,
  ].filter((l): l is string => l !== undefined);
  if (links.length > 0) elements.push(links.join(' · '));
  const blocks: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, SECTION_MAX) } }];
  if (elements.length > 0) blocks.push(context(elements));
  return blocks;
}

function context(texts: string[]): Block {
  return { type: 'context', elements: texts.map((text) => ({ type: 'mrkdwn', text: truncate(text, SECTION_MAX) })) };
}

function labelsText(labels: Array<[string, string]>): string {
  return labels.map(([name, value]) => `\`${escape(name)}=${escape(value).replace(/`/g, "'")}\``).join(' ');
}

function link(url: string | undefined, text: string): string | undefined {
  if (!isHttpUrl(url)) return undefined;
  // `|` and `>` end a Slack link; they are legal in URLs only percent-encoded.
  return `<${url.replace(/\|/g, '%7C').replace(/>/g, '%3E')}|${text}>`;
}

/** Slack mrkdwn needs only these three escaped. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export class SlackNotifier implements Notifier {
  readonly channel = 'slack' as const;
  private readonly http: ChannelHttp;

  constructor(private readonly webhookUrl: string, timeoutMs: number) {
    this.http = createHttpClient(timeoutMs);
  }

  async notify(body: string): Promise<DeliveryResult> {
    const message = buildSlackMessage(JSON.parse(body) as GroupNotification);
    return this.http.post(this.webhookUrl, JSON.stringify(message));
  }

  close(): void {
    this.http.close();
  }
}
