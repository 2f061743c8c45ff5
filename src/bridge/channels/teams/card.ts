import type { AckNotification, GroupNotification, NotifiedAlert } from '../../notification.js';
import { ackTitle, alertLinks, firingFirst, groupTitle, truncate, worstSeverity } from '../format.js';

/** Teams refuses a message over 28 KB; keep a margin for the envelope Power Automate adds. */
export const TEAMS_MAX_BYTES = 28 * 1024;
const BUDGET_BYTES = TEAMS_MAX_BYTES - 1024;
const TEXT_MAX = 2000;
const FACT_MAX = 500;

/** Adaptive Card colours are names, not values: the host's theme picks the shade. */
const COLOURS: Record<string, string> = { critical: 'Attention', high: 'Warning', warning: 'Warning', medium: 'Warning', low: 'Accent', info: 'Accent' };

type Element = Record<string, unknown>;

export interface TeamsMessage {
  type: 'message';
  attachments: Array<{ contentType: 'application/vnd.microsoft.card.adaptive'; contentUrl: null; content: AdaptiveCard }>;
}

interface AdaptiveCard {
  $schema: string;
  type: 'AdaptiveCard';
  version: '1.4';
  msteams: { width: 'Full' };
  body: Element[];
}

/**
 * One Adaptive Card per group, posted to a Workflows (Power Automate) webhook: the title, then per alert
 * (firing first) its summary, description, the labels that tell it apart as facts, and its links as
 * buttons. Over 28 KB the last alerts are left out and counted.
 */
export function buildTeamsMessage(notification: GroupNotification): TeamsMessage {
  const ordered = firingFirst(notification.alerts);
  const firing = ordered.filter((a) => a.status === 'firing');
  const colour = notification.status === 'resolved' ? 'Good' : (COLOURS[worstSeverity(firing)] ?? 'Default');
  const head: Element[] = [{ type: 'TextBlock', text: truncate(groupTitle(notification), 500), weight: 'Bolder', size: 'Medium', color: colour, wrap: true }];
  if (notification.note !== undefined) head.push({ type: 'TextBlock', text: truncate(notification.note, TEXT_MAX), isSubtle: true, wrap: true });
  const perAlert = ordered.map((alert) => alertContainer(alert, notification));
  const assemble = (count: number): TeamsMessage => {
    const body = [...head, ...perAlert.slice(0, count)];
    const notes: string[] = [];
    if (perAlert.length > count)
      notes.push(`${perAlert.length - count} more alert${perAlert.length - count === 1 ? '' : 's'} not shown (Teams message size limit)`);
    if (notification.truncatedAlerts > 0) notes.push(`${notification.truncatedAlerts} truncated by Alertmanager (max_alerts)`);
    if (notes.length > 0) body.push({ type: 'TextBlock', text: `…${notes.join('; ')}.`, isSubtle: true, wrap: true });
    return envelope(body);
  };
  let shown = perAlert.length;
  let message = assemble(shown);
  while (shown > 0 && Buffer.byteLength(JSON.stringify(message), 'utf8') > BUDGET_BYTES) {
    shown -= 1;
    message = assemble(shown);
  }
  return message;
}

/** A short card saying who acknowledged (or withdrew the ack of) an alert. */
export function buildTeamsAckMessage(notification: AckNotification): TeamsMessage {
  const body: Element[] = [{ type: 'TextBlock', text: truncate(ackTitle(notification), 500), weight: 'Bolder', wrap: true }];
  if (notification.comment !== '') body.push({ type: 'TextBlock', text: truncate(notification.comment, TEXT_MAX), wrap: true });
  body.push({ type: 'TextBlock', text: `${notification.at} · fingerprint ${notification.alert.fingerprint}`, isSubtle: true, size: 'Small', wrap: true });
  return envelope(body);
}

function alertContainer(alert: NotifiedAlert, notification: GroupNotification): Element {
  const summary = alert.annotations['summary'] ?? notification.commonAnnotations['summary'] ?? alert.labels['alertname'] ?? 'alert';
  const description = alert.annotations['description'] ?? alert.annotations['message'];
  const since = alert.status === 'firing' ? `firing since ${alert.startsAt}` : `resolved ${alert.endsAt}`;
  const items: Element[] = [
    { type: 'TextBlock', text: truncate(`${alert.status === 'firing' ? '🔴' : '🟢'} ${summary}`, 500), weight: 'Bolder', wrap: true },
    { type: 'TextBlock', text: since, isSubtle: true, size: 'Small', spacing: 'None', wrap: true },
  ];
  if (alert.status === 'resolved' && alert.resolution !== undefined)
    items.push({ type: 'TextBlock', text: truncate(`Resolution: ${alert.resolution}`, TEXT_MAX), wrap: true });
  if (description !== undefined) items.push({ type: 'TextBlock', text: truncate(description, TEXT_MAX), wrap: true });
  const own = Object.entries(alert.labels).filter(([label, value]) => label !== 'alertname' && notification.commonLabels[label] !== value);
  if (own.length > 0)
    items.push({ type: 'FactSet', facts: own.slice(0, 20).map(([title, value]) => ({ title: truncate(title, 100), value: truncate(value, FACT_MAX) })) });
  const links = alertLinks(alert, notification.externalURL);
  if (links.length > 0) items.push({ type: 'ActionSet', actions: links.map((l) => ({ type: 'Action.OpenUrl', title: l.text, url: l.url })) });
  return { type: 'Container', separator: true, items };
}

function envelope(body: Element[]): TeamsMessage {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', msteams: { width: 'Full' }, body },
      },
    ],
  };
}
