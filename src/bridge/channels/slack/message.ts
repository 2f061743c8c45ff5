import type { AckNotification, GroupNotification, NotifiedAlert } from '../../notification.js';
import { ackTitle, groupTitle, isHttpUrl, silenceLink, truncate, worstSeverity } from '../format.js';

/** Slack's documented limits for one message. */
export const SLACK_MAX_BLOCKS = 50;
export const SLACK_MAX_CHARS = 40_000;
const SECTION_MAX = 3000;
const CONTEXT_MAX_ELEMENTS = 10;
const FALLBACK_MAX = 1000;

const COLOURS: Record<string, string> = {
  critical: '#E01E5A',
  high: '#F2711C',
  medium: '#ECB22E',
  low: '#439FE0',
};
const RESOLVED_COLOUR = '#2EB67D';
const ACK_COLOUR = '#868E96';
const UNKNOWN_COLOUR = '#868E96';

/** Labels every Slack reader can do without: shown in the title or carried by every alert of our rules. */
const QUIET_LABELS = new Set(['alertname', 'severity']);

type Block = Record<string, unknown>;

export interface SlackMessage {
  /** The title, once: Slack shows it above the coloured attachment and in notifications. */
  readonly text: string;
  readonly attachments: Array<{ color: string; fallback: string; blocks: Block[] }>;
}

/**
 * One message per group: the title (state, count, alert name, severity) as the message text, then in a
 * coloured attachment each alert (firing first) with its summary, description, the labels that tell it
 * apart and its links. Over 50 blocks or 40,000 characters, the last alerts are dropped and a note says
 * how many are not shown. Everything from an alert is escaped (`<!channel>` in a label must not page a
 * channel); links are never cut (a cut URL is a broken link): one that does not fit is left out whole.
 */
export function buildSlackMessage(notification: GroupNotification): SlackMessage {
  const firing = notification.alerts.filter((a) => a.status === 'firing');
  const resolved = notification.alerts.filter((a) => a.status === 'resolved');
  const ordered = [...firing, ...resolved];
  const severity = worstSeverity(firing.length > 0 ? firing : resolved);
  const colour = notification.status === 'resolved' ? RESOLVED_COLOUR : (COLOURS[severity] ?? UNKNOWN_COLOUR);
  const title = groupTitle(notification);
  const summary = notification.commonAnnotations['summary'] ?? ordered[0]?.annotations['summary'] ?? '';
  const text = truncate(escape(`${title}: ${summary}`.replace(/: $/, '')), FALLBACK_MAX);

  const head: Block[] = [];
  if (notification.note !== undefined) head.push(context([`_${escape(notification.note)}_`]));
  const common = Object.entries(notification.commonLabels).filter(([label]) => !QUIET_LABELS.has(label));
  if (common.length > 0) head.push(context([labelsText(common)]));

  const perAlert = ordered.map((alert) => alertBlocks(alert, notification));
  const hiddenByAlertmanager = notification.truncatedAlerts;
  const assemble = (count: number): Block[] => {
    const blocks = [...head, ...perAlert.slice(0, count).flat()];
    const parts: string[] = [];
    if (perAlert.length > count)
      parts.push(`${perAlert.length - count} more alert${perAlert.length - count === 1 ? '' : 's'} not shown (Slack message limits)`);
    if (hiddenByAlertmanager > 0) parts.push(`${hiddenByAlertmanager} truncated by Alertmanager (max_alerts)`);
    if (parts.length > 0) blocks.push(context([`_…${parts.join('; ')}._`]));
    return blocks;
  };
  let shown = perAlert.length;
  let blocks = assemble(shown);
  while (shown > 0 && (blocks.length > SLACK_MAX_BLOCKS || JSON.stringify(blocks).length + 2 * text.length > SLACK_MAX_CHARS)) {
    shown -= 1;
    blocks = assemble(shown);
  }
  return { text, attachments: [{ color: colour, fallback: text, blocks }] };
}

/** A short message saying who acknowledged (or withdrew the ack of) an alert. Incoming webhooks cannot edit or thread. */
export function buildSlackAckMessage(notification: AckNotification): SlackMessage {
  const { alert } = notification;
  const text = truncate(escape(ackTitle(notification)), FALLBACK_MAX);
  const blocks: Block[] = [];
  if (notification.comment !== '') blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`> ${escape(notification.comment)}`, SECTION_MAX) } });
  blocks.push(context([`${escape(notification.at)} · fingerprint \`${escape(alert.fingerprint)}\``]));
  return { text, attachments: [{ color: ACK_COLOUR, fallback: text, blocks }] };
}

function alertBlocks(alert: NotifiedAlert, notification: GroupNotification): Block[] {
  const icon = alert.status === 'firing' ? ':red_circle:' : ':large_green_circle:';
  const summary = alert.annotations['summary'] ?? notification.commonAnnotations['summary'] ?? alert.labels['alertname'] ?? 'alert';
  const description = alert.annotations['description'] ?? alert.annotations['message'] ?? '';
  const since = alert.status === 'firing' ? `since ${alert.startsAt}` : `resolved ${alert.endsAt}`;
  const resolution = alert.status === 'resolved' && alert.resolution !== undefined ? `\n*Resolution:* ${escape(alert.resolution)}` : '';
  const text = `${icon} *${escape(summary)}* _(${since})_${resolution}${description === '' ? '' : `\n${escape(description)}`}`;
  const blocks: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, SECTION_MAX) } }];
  const own = Object.entries(alert.labels).filter(([label, value]) => !QUIET_LABELS.has(label) && notification.commonLabels[label] !== value);
  // One element per link: a link is whole or absent, and a long one cannot push the others out.
  const elements: string[] = own.length > 0 ? [truncate(labelsText(own), SECTION_MAX)] : [];
  const links = [
    link(alert.annotations['runbook_url'], 'Runbook'),
    link(alert.annotations['dashboard_url'], 'Dashboard'),
    link(alert.generatorURL, 'Source'),
    alert.status === 'firing' ? link(silenceLink(notification.externalURL, alert.labels), 'Silence') : undefined,
  ];
  for (const element of links) if (element !== undefined && element.length <= SECTION_MAX && elements.length < CONTEXT_MAX_ELEMENTS) elements.push(element);
  if (elements.length > 0) blocks.push({ type: 'context', elements: elements.map((t) => ({ type: 'mrkdwn', text: t })) });
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
  return `<${url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C')}|${text}>`;
}

/** Slack mrkdwn needs only these three escaped; with them escaped, `<!channel>` and `<url|label>` are plain text. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
