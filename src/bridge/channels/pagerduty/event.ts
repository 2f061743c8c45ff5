import type { AckNotification, AlertNotification } from '../../notification.js';
import { isHttpUrl, truncate, truncateBytes } from '../format.js';

export const PAGERDUTY_SUMMARY_MAX = 1024;
/** PagerDuty refuses (400, for good) an event over 512 KB; stay well under, as Alertmanager does. */
export const PAGERDUTY_EVENT_MAX_BYTES = 512 * 1024;
/** Per-value caps in custom_details: the description, then every other label or annotation. */
const DESCRIPTION_MAX_BYTES = 16 * 1024;
const VALUE_MAX_BYTES = 2 * 1024;

/** Our severities onto PagerDuty's four; anything unknown is `error`, as in Alertmanager's integration. */
const SEVERITY: Record<string, PagerDutySeverity> = { critical: 'critical', high: 'error', medium: 'warning', low: 'info', warning: 'warning', info: 'info' };
type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key: string;
  client: string;
  client_url?: string;
  payload?: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    timestamp: string;
    component?: string;
    group?: string;
    class: string;
    custom_details: Record<string, unknown>;
  };
  links?: Array<{ href: string; text: string }>;
}

/**
 * One incident per alert: the dedup key is the alert's fingerprint, so every re-send of a trigger,
 * acknowledge or resolve is idempotent at PagerDuty, and they all address exactly that alert's incident
 * (Alertmanager's own integration keys by group, one incident for all of them).
 */
function dedupKeyOf(fingerprint: string): string {
  return `ide-monitor/${fingerprint}`;
}

export function buildPagerDutyEvent(notification: AlertNotification | AckNotification, routingKey: string): PagerDutyEvent {
  const { alert } = notification;
  const base = {
    routing_key: routingKey,
    dedup_key: dedupKeyOf(alert.fingerprint),
    client: 'ide-monitor',
    ...(isHttpUrl(notification.externalURL) && notification.externalURL.length <= 2048 && { client_url: notification.externalURL }),
  };
  if (notification.kind === 'ack') {
    // PagerDuty has no "unacknowledge": a withdrawn ack re-triggers the incident.
    if (notification.action === 'acknowledged') return { ...base, event_action: 'acknowledge' };
    return triggerEvent(base, { ...notification, kind: 'alert', receiver: '' });
  }
  if (alert.status === 'resolved') return { ...base, event_action: 'resolve' };
  return triggerEvent(base, notification);
}

function triggerEvent(base: Omit<PagerDutyEvent, 'event_action'>, notification: AlertNotification): PagerDutyEvent {
  const { alert } = notification;
  const name = alert.labels['alertname'] ?? 'alert';
  const summary = alert.annotations['summary'] ?? name;
  const where = alert.labels['instance'] ?? alert.labels['server'] ?? alert.labels['job'];
  const links = [
    ['runbook_url', 'Runbook'],
    ['dashboard_url', 'Dashboard'],
  ]
    .map(([annotation, text]) => ({ href: alert.annotations[annotation!] ?? '', text: text! }))
    .concat([{ href: alert.generatorURL, text: 'Prometheus' }])
    // A link is whole or absent: a cut URL is a broken one.
    .filter((l) => isHttpUrl(l.href) && l.href.length <= 2048);
  const cap = (values: Record<string, string>, skip: readonly string[]) =>
    Object.fromEntries(
      Object.entries(values)
        .filter(([k]) => !skip.includes(k))
        .map(([k, v]) => [k, truncateBytes(v, VALUE_MAX_BYTES)]),
    );
  const description = alert.annotations['description'] ?? alert.annotations['message'];
  // The description is sent once (not again inside the annotations).
  const details: Record<string, unknown> = {
    ...(description !== undefined && { description: truncateBytes(description, DESCRIPTION_MAX_BYTES) }),
    ...(notification.note !== undefined && { note: truncate(notification.note, 1000) }),
    labels: cap(alert.labels, []),
    annotations: cap(alert.annotations, ['description', 'message', 'summary']),
    fingerprint: alert.fingerprint,
    starts_at: alert.startsAt,
    receiver: notification.receiver,
  };
  const event: PagerDutyEvent = {
    ...base,
    event_action: 'trigger',
    payload: {
      summary: truncate(`${name}: ${summary}${where === undefined ? '' : ` (${where})`}`, PAGERDUTY_SUMMARY_MAX),
      source: truncate(alert.labels['instance'] ?? alert.labels['job'] ?? 'ide-monitor', 255),
      severity: SEVERITY[alert.labels['severity'] ?? ''] ?? 'error',
      timestamp: alert.startsAt,
      ...(alert.labels['job'] !== undefined && { component: truncate(alert.labels['job'], 255) }),
      ...((alert.labels['server'] ?? alert.labels['group']) !== undefined && { group: truncate((alert.labels['server'] ?? alert.labels['group'])!, 255) }),
      class: truncate(name, 255),
      custom_details: details,
    },
    ...(links.length > 0 && { links }),
  };
  // Hundreds of labels could still pass the limit: drop the annotations, then the labels, never the page.
  for (const drop of ['annotations', 'labels'] as const) {
    if (Buffer.byteLength(JSON.stringify(event), 'utf8') <= PAGERDUTY_EVENT_MAX_BYTES - 1024) break;
    details[drop] = `(left out: the event would pass PagerDuty's 512 KB limit)`;
  }
  return event;
}
