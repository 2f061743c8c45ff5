import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Outbox, OutboxChannel } from './outbox.js';

export type WebhookOutcome = 'accepted' | 'duplicate' | 'invalid' | 'too_large' | 'unauthorized' | 'forbidden' | 'unavailable';
export type NotificationOutcome = 'delivered' | 'retried' | 'failed' | 'dead_lettered';

/** The bridge's metrics, names as in the metric contract (METRICS.md). */
export class BridgeMetrics {
  readonly webhookRequests: Counter<'outcome'>;
  readonly alertsReceived: Counter<'status'>;
  readonly notifications: Counter<'channel' | 'outcome'>;
  readonly notificationDuration: Histogram<'channel'>;
  readonly actions: Counter<'action' | 'phase' | 'outcome'>;

  constructor(registry: Registry, outbox: () => Outbox | undefined, channels: readonly OutboxChannel[]) {
    this.webhookRequests = new Counter({
      name: 'ide_bridge_webhook_requests_total',
      help: 'Alertmanager webhook requests by outcome (accepted, duplicate, invalid, too_large, unauthorized, forbidden, unavailable).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    for (const outcome of ['accepted', 'duplicate', 'invalid', 'unavailable'] as const) this.webhookRequests.inc({ outcome }, 0);
    this.alertsReceived = new Counter({
      name: 'ide_bridge_alerts_received_total',
      help: 'Alert events received from Alertmanager (duplicates not counted), by status.',
      labelNames: ['status'],
      registers: [registry],
    });
    for (const status of ['firing', 'resolved']) this.alertsReceived.inc({ status }, 0);
    this.notifications = new Counter({
      name: 'ide_bridge_notifications_total',
      help: 'Notification attempts by channel and outcome: delivered, retried (will be tried again), failed (rejected for good, dead-lettered), dead_lettered (retries exhausted).',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    });
    this.notificationDuration = new Histogram({
      name: 'ide_bridge_notification_duration_seconds',
      help: 'Time of one delivery attempt to a channel.',
      labelNames: ['channel'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.actions = new Counter({
      name: 'ide_bridge_actions_total',
      help: 'Automated action runs by action, phase (trigger, rollback) and outcome.',
      labelNames: ['action', 'phase', 'outcome'],
      registers: [registry],
    });
    const notificationChannels = channels.filter((c) => c !== 'action');
    for (const channel of notificationChannels) {
      for (const outcome of ['delivered', 'retried', 'failed', 'dead_lettered'] as const) this.notifications.inc({ channel, outcome }, 0);
    }
    // Computed at scrape from the outbox itself, so they are right after a restart too.
    const pending = new Gauge({
      name: 'ide_bridge_outbox_pending',
      help: 'Deliveries waiting in the outbox (pending or in flight), by channel.',
      labelNames: ['channel'],
      registers: [registry],
      collect() {
        const stats = outbox()?.pendingStats() ?? [];
        for (const channel of channels) pending.set({ channel }, stats.find((s) => s.channel === channel)?.pending ?? 0);
      },
    });
    const oldest = new Gauge({
      name: 'ide_bridge_outbox_oldest_age_seconds',
      help: 'Age of the oldest undelivered outbox entry, by channel (0 when empty).',
      labelNames: ['channel'],
      registers: [registry],
      collect() {
        const stats = outbox()?.pendingStats() ?? [];
        const now = Date.now();
        for (const channel of channels) {
          const stat = stats.find((s) => s.channel === channel);
          oldest.set({ channel }, stat === undefined ? 0 : Math.max(0, (now - stat.oldestCreatedAt) / 1000));
        }
      },
    });
  }
}
