import type { Notification } from '../../notification.js';

/**
 * The generic outgoing webhook's body: the notification as the outbox holds it (Alertmanager's group
 * shape narrowed to the alerts routed here, with `kind: "group"`; or `kind: "ack"`), versioned.
 */
export type OutgoingWebhookBody = Notification & { readonly version: '1'; readonly source: 'ide-monitor' };

export function buildWebhookBody(notification: Notification): OutgoingWebhookBody {
  return { version: '1', source: 'ide-monitor', ...notification };
}
