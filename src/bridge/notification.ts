import type { WebhookAlert } from './payload.js';

/**
 * What the outbox carries to a channel: self-contained JSON, so a delivery can be made by any replica
 * after any restart with no other lookup. Group channels (Slack, email, …) get one per Alertmanager group,
 * per-alert channels (PagerDuty, OpsGenie, SMS) one per alert, and every channel that shows acks an `ack`.
 */
export interface NotifiedAlert extends WebhookAlert {
  /** The note given with `POST /api/v1/alerts/{fp}/resolve`, on the resolved event of that episode. */
  readonly resolution?: string;
}

export interface GroupNotification {
  readonly kind: 'group';
  readonly receiver: string;
  readonly status: 'firing' | 'resolved';
  readonly groupKey: string;
  readonly groupLabels: Record<string, string>;
  readonly commonLabels: Record<string, string>;
  readonly commonAnnotations: Record<string, string>;
  readonly externalURL: string;
  readonly truncatedAlerts: number;
  readonly alerts: NotifiedAlert[];
  /** Why this message goes out beyond the alert itself: an escalation, a reminder, a reconciler resolve. */
  readonly note?: string;
}

export interface AlertNotification {
  readonly kind: 'alert';
  readonly receiver: string;
  readonly groupKey: string;
  readonly externalURL: string;
  readonly alert: NotifiedAlert;
  readonly note?: string;
}

export interface AckNotification {
  readonly kind: 'ack';
  readonly groupKey: string;
  readonly externalURL: string;
  readonly alert: NotifiedAlert;
  /** `acknowledged` or `unacknowledged` (the ack was withdrawn and the alert is open again). */
  readonly action: 'acknowledged' | 'unacknowledged';
  readonly by: string;
  readonly at: string;
  readonly comment: string;
}

export type Notification = GroupNotification | AlertNotification | AckNotification;

/** Reads an outbox body. Bodies written before `kind` existed are the channel's own unit. */
export function parseNotification(body: string, unit: 'group' | 'alert'): Notification {
  const parsed = JSON.parse(body) as Partial<Notification>;
  return (parsed.kind === undefined ? { ...parsed, kind: unit } : parsed) as Notification;
}

/** The alerts a notification is about. */
export function alertsOf(notification: Notification): readonly NotifiedAlert[] {
  return notification.kind === 'group' ? notification.alerts : [notification.alert];
}
