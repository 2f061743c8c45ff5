import type { AckNotification, GroupNotification, NotifiedAlert } from '../notification.js';
import type { WebhookAlert } from '../payload.js';

/** Text helpers shared by the message builders. */

/** Our severities, most severe first, with Prometheus' usual `warning` and `info` where routing puts them (as high and low). */
const SEVERITY_ORDER = ['critical', 'high', 'warning', 'medium', 'low', 'info'] as const;

/** The most severe `severity` label among the alerts (by our rule order), or the first unknown one. */
export function worstSeverity(alerts: readonly WebhookAlert[]): string {
  const present = alerts.map((a) => a.labels['severity'] ?? '');
  for (const severity of SEVERITY_ORDER) if (present.includes(severity)) return severity;
  return present.find((s) => s !== '') ?? '';
}

/**
 * Cuts to at most `max` UTF-16 code units (the unit every service's "characters" is at least as large as),
 * marking the cut, and never between the two halves of a surrogate pair: a lone surrogate is invalid
 * text that Slack and PagerDuty show as garbage or reject.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${cutAt(text, Math.max(0, max - 1))}…`;
}

/** The longest prefix of at most `units` code units that ends on a code point boundary. */
export function cutAt(text: string, units: number): string {
  if (text.length <= units) return text;
  const last = text.charCodeAt(units - 1);
  // A high surrogate at the end would lose its low half.
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, units - 1) : text.slice(0, units);
}

/** Cuts to at most `maxBytes` bytes of UTF-8 (PagerDuty's and email's limits are bytes), marking the cut. */
export function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  // At most 3 bytes per code unit (a pair is 4 bytes for 2 units): start there and shrink.
  let units = Math.min(text.length, Math.floor(maxBytes / 3));
  let cut = cutAt(text, units);
  while (Buffer.byteLength(cut, 'utf8') + 3 <= maxBytes && units < text.length) {
    const step = Math.max(1, Math.floor((maxBytes - 3 - Buffer.byteLength(cut, 'utf8')) / 3));
    units = Math.min(text.length, units + step);
    const next = cutAt(text, units);
    if (Buffer.byteLength(next, 'utf8') + 3 > maxBytes) break;
    cut = next;
  }
  return `${cut}…`;
}

/**
 * A link to Alertmanager's "new silence" form, pre-filled with the alert's labels. Alertmanager's own
 * templates build the same from `.ExternalURL`.
 */
export function silenceLink(externalURL: string, labels: Readonly<Record<string, string>>): string | undefined {
  if (!/^https?:\/\//.test(externalURL)) return undefined;
  const matchers = Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`)
    .join(',');
  return `${externalURL.replace(/\/$/, '')}/#/silences/new?filter=${encodeURIComponent(`{${matchers}}`)}`;
}

export function isHttpUrl(text: string | undefined): text is string {
  return text !== undefined && /^https?:\/\/\S+$/.test(text);
}

/**
 * A group's one-line title, as every group channel shows it: `[FIRING:2] Name (critical)`,
 * `[FIRING:1, 1 resolved] …`, `[RESOLVED] …`. The severity is the worst of the firing alerts (of the
 * resolved ones once none fires).
 */
export function groupTitle(notification: GroupNotification): string {
  const firing = notification.alerts.filter((a) => a.status === 'firing');
  const resolved = notification.alerts.filter((a) => a.status === 'resolved');
  const severity = worstSeverity(firing.length > 0 ? firing : resolved);
  const name = groupName(notification);
  const state = notification.status === 'firing' ? `FIRING:${firing.length}` : 'RESOLVED';
  const resolvedNote = notification.status === 'firing' && resolved.length > 0 ? `, ${resolved.length} resolved` : '';
  return `[${state}${resolvedNote}] ${name}${severity === '' ? '' : ` (${severity})`}`;
}

/** The group's alert name: from the grouping, the common labels, or the first alert. */
function groupName(notification: GroupNotification): string {
  return (
    notification.groupLabels['alertname'] ?? notification.commonLabels['alertname'] ?? firingFirst(notification.alerts)[0]?.labels['alertname'] ?? 'alerts'
  );
}

/** Firing alerts first, then resolved ones: what needs attention leads. */
export function firingFirst(alerts: readonly NotifiedAlert[]): NotifiedAlert[] {
  return [...alerts.filter((a) => a.status === 'firing'), ...alerts.filter((a) => a.status === 'resolved')];
}

/** Where an alert is: its instance, server or job label. */
export function alertPlace(alert: WebhookAlert): string | undefined {
  return alert.labels['instance'] ?? alert.labels['server'] ?? alert.labels['job'];
}

/** `[ACKNOWLEDGED] Name (where) by alice` or `[ACK WITHDRAWN] …`. */
export function ackTitle(notification: AckNotification): string {
  const name = notification.alert.labels['alertname'] ?? 'alert';
  const where = alertPlace(notification.alert);
  const verb = notification.action === 'acknowledged' ? 'ACKNOWLEDGED' : 'ACK WITHDRAWN';
  return `[${verb}] ${name}${where === undefined ? '' : ` (${where})`} by ${notification.by}`;
}

export interface AlertLink {
  readonly text: string;
  readonly url: string;
}

/** An alert's links, each a whole http(s) URL of at most `maxLength` (a cut URL is a broken one): runbook, dashboard, source, and a silence while firing. */
export function alertLinks(alert: WebhookAlert, externalURL: string, maxLength = 2048): AlertLink[] {
  const links: Array<[string | undefined, string]> = [
    [alert.annotations['runbook_url'], 'Runbook'],
    [alert.annotations['dashboard_url'], 'Dashboard'],
    [alert.generatorURL, 'Source'],
    [alert.status === 'firing' ? silenceLink(externalURL, alert.labels) : undefined, 'Silence'],
  ];
  return links.filter((l): l is [string, string] => isHttpUrl(l[0]) && l[0].length <= maxLength).map(([url, text]) => ({ text, url }));
}
