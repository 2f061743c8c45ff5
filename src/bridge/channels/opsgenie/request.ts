import type { AckNotification, AlertNotification } from '../../notification.js';
import { alertLinks, alertPlace, truncate } from '../format.js';

/** OpsGenie's documented field limits (Alert API v2). */
export const OPSGENIE_LIMITS = {
  message: 130,
  alias: 512,
  description: 15_000,
  tags: 20,
  tag: 50,
  details: 8000,
  entity: 512,
  source: 100,
  user: 100,
  note: 25_000,
} as const;

/** critical → P1, high/warning → P2, medium → P3, low → P4, info → P5; anything else P3 (OpsGenie's own default). */
const PRIORITY: Record<string, OpsGeniePriority> = { critical: 'P1', high: 'P2', warning: 'P2', medium: 'P3', low: 'P4', info: 'P5' };
type OpsGeniePriority = 'P1' | 'P2' | 'P3' | 'P4' | 'P5';

const SOURCE = 'ide-monitor';

export interface OpsGenieRequest {
  /** Appended to the API URL. */
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/**
 * The alert's identity at OpsGenie is its fingerprint, sent as `alias`: OpsGenie folds a create for an
 * open alias into the open alert (a re-send is harmless), and close, acknowledge and unacknowledge
 * address the same alert by it.
 */
function aliasOf(fingerprint: string): string {
  return fingerprint;
}

export function buildOpsGenieRequest(notification: AlertNotification | AckNotification): OpsGenieRequest {
  const { alert } = notification;
  const target = `/v2/alerts/${encodeURIComponent(aliasOf(alert.fingerprint))}`;
  if (notification.kind === 'ack') {
    const action = notification.action === 'acknowledged' ? 'acknowledge' : 'unacknowledge';
    return {
      path: `${target}/${action}?identifierType=alias`,
      body: {
        user: truncate(notification.by, OPSGENIE_LIMITS.user),
        source: SOURCE,
        ...(notification.comment !== '' && { note: truncate(notification.comment, OPSGENIE_LIMITS.note) }),
      },
    };
  }
  if (alert.status === 'resolved') {
    const note = alert.resolution ?? `resolved at ${alert.endsAt}`;
    return { path: `${target}/close?identifierType=alias`, body: { user: SOURCE, source: SOURCE, note: truncate(note, OPSGENIE_LIMITS.note) } };
  }
  return { path: '/v2/alerts', body: createBody(notification) };
}

function createBody(notification: AlertNotification): Record<string, unknown> {
  const { alert } = notification;
  const name = alert.labels['alertname'] ?? 'alert';
  const summary = alert.annotations['summary'];
  const where = alertPlace(alert);
  const severity = alert.labels['severity'] ?? '';
  const parts = [
    alert.annotations['description'] ?? alert.annotations['message'],
    notification.note,
    alertLinks(alert, notification.externalURL)
      .map((l) => `${l.text}: ${l.url}`)
      .join('\n'),
  ].filter((p): p is string => p !== undefined && p !== '');
  const tags = [severity, name, alert.labels['job']]
    .filter((t): t is string => t !== undefined && t !== '')
    .map((t) => truncate(t, OPSGENIE_LIMITS.tag))
    .slice(0, OPSGENIE_LIMITS.tags);
  return {
    message: truncate(`${name}${summary === undefined ? '' : `: ${summary}`}`, OPSGENIE_LIMITS.message),
    alias: aliasOf(alert.fingerprint),
    description: truncate(parts.join('\n\n'), OPSGENIE_LIMITS.description),
    priority: PRIORITY[severity] ?? 'P3',
    tags,
    details: details(alert.labels),
    source: SOURCE,
    ...(where !== undefined && { entity: truncate(where, OPSGENIE_LIMITS.entity) }),
  };
}

/** The labels as details, within OpsGenie's 8000 characters for all keys and values: each value capped, the rest left out and counted. */
function details(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  let used = 0;
  let left = 0;
  for (const [key, value] of Object.entries(labels)) {
    const capped = truncate(value, 1000);
    if (used + key.length + capped.length > OPSGENIE_LIMITS.details - 100) {
      left += 1;
      continue;
    }
    out[key] = capped;
    used += key.length + capped.length;
  }
  if (left > 0) out['labels_left_out'] = String(left);
  return out;
}
