import type { AlertNotification } from '../intake.js';
import { createHttpClient, type ChannelHttp } from './http.js';
import { isHttpUrl, truncate } from './format.js';
import type { DeliveryResult, Notifier } from './notifier.js';

export const PAGERDUTY_SUMMARY_MAX = 1024;

/** Our severities onto PagerDuty's four; anything unknown is `error`, as in Alertmanager's integration. */
const SEVERITY: Record<string, PagerDutySeverity> = { critical: 'critical', high: 'error', medium: 'warning', low: 'info' };
type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'resolve';
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
 * One incident per alert: the dedup key is the alert's fingerprint, so every re-send of a trigger or
 * resolve is idempotent at PagerDuty, and a resolve closes exactly its alert's incident (Alertmanager's
 * own integration keys by group, one incident for all of them).
 */
export function dedupKeyOf(fingerprint: string): string {
  return `ide-monitor/${fingerprint}`;
}

export function buildPagerDutyEvent(notification: AlertNotification, routingKey: string): PagerDutyEvent {
  const { alert } = notification;
  const base = {
    routing_key: routingKey,
    dedup_key: dedupKeyOf(alert.fingerprint),
    client: 'ide-monitor',
    ...(isHttpUrl(notification.externalURL) && { client_url: notification.externalURL }),
  };
  if (alert.status === 'resolved') return { ...base, event_action: 'resolve' };
  const name = alert.labels['alertname'] ?? 'alert';
  const summary = alert.annotations['summary'] ?? name;
  const where = alert.labels['instance'] ?? alert.labels['server'] ?? alert.labels['job'];
  const links = [
    ['runbook_url', 'Runbook'],
    ['dashboard_url', 'Dashboard'],
  ]
    .map(([annotation, text]) => ({ href: alert.annotations[annotation!] ?? '', text: text! }))
    .concat([{ href: alert.generatorURL, text: 'Prometheus' }])
    .filter((l) => isHttpUrl(l.href));
  return {
    ...base,
    event_action: 'trigger',
    payload: {
      summary: truncate(`${name}: ${summary}${where === undefined ? '' : ` (${where})`}`, PAGERDUTY_SUMMARY_MAX),
      source: alert.labels['instance'] ?? alert.labels['job'] ?? 'ide-monitor',
      severity: SEVERITY[alert.labels['severity'] ?? ''] ?? 'error',
      timestamp: alert.startsAt,
      ...(alert.labels['job'] !== undefined && { component: alert.labels['job'] }),
      ...((alert.labels['server'] ?? alert.labels['group']) !== undefined && { group: alert.labels['server'] ?? alert.labels['group'] }),
      class: name,
      custom_details: {
        firing: alert.annotations['description'] ?? summary,
        labels: alert.labels,
        annotations: alert.annotations,
        fingerprint: alert.fingerprint,
        starts_at: alert.startsAt,
        receiver: notification.receiver,
      },
    },
    ...(links.length > 0 && { links }),
  };
}

export class PagerDutyNotifier implements Notifier {
  readonly channel = 'pagerduty' as const;
  private readonly http: ChannelHttp;

  constructor(
    private readonly eventsUrl: string,
    private readonly routingKey: string,
    timeoutMs: number,
  ) {
    this.http = createHttpClient(timeoutMs);
  }

  async notify(body: string): Promise<DeliveryResult> {
    const event = buildPagerDutyEvent(JSON.parse(body) as AlertNotification, this.routingKey);
    return this.http.post(this.eventsUrl, JSON.stringify(event));
  }

  close(): void {
    this.http.close();
  }
}
