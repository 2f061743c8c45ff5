import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BridgeStore, PendingStat } from './store/types.js';

/** The bridge's metrics, names as in the metric contract (METRICS.md). */
export class BridgeMetrics {
  readonly webhookRequests: Counter<'outcome'>;
  readonly alertsReceived: Counter<'status'>;
  readonly notifications: Counter<'channel' | 'outcome'>;
  readonly notificationDuration: Histogram<'channel'>;
  readonly actions: Counter<'action' | 'phase' | 'outcome'>;
  readonly truncated: Counter;
  readonly reconciler: Counter<'outcome'>;
  readonly reconcilerResolved: Counter;
  readonly escalations: Counter;
  readonly acks: Counter<'action'>;

  constructor(registry: Registry, store: () => BridgeStore | undefined, channels: readonly string[]) {
    this.webhookRequests = new Counter({
      name: 'ide_bridge_webhook_requests_total',
      help: 'Alertmanager webhook requests by outcome (accepted, duplicate, invalid, invalid_fingerprint, too_large, unauthorized, forbidden, unavailable).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    for (const outcome of ['accepted', 'duplicate', 'invalid', 'invalid_fingerprint', 'unavailable'] as const) this.webhookRequests.inc({ outcome }, 0);
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
    this.truncated = new Counter({
      name: 'ide_bridge_alert_values_truncated_total',
      help: 'Label values and annotations cut at intake because they passed bridge.webhook.max_label_value or max_annotation.',
      registers: [registry],
    });
    this.reconciler = new Counter({
      name: 'ide_bridge_reconciler_runs_total',
      help: "Reconciler comparisons with Alertmanager's alerts, by outcome (ok, unreachable: nothing is resolved on a failed read).",
      labelNames: ['outcome'],
      registers: [registry],
    });
    for (const outcome of ['ok', 'unreachable']) this.reconciler.inc({ outcome }, 0);
    this.reconcilerResolved = new Counter({
      name: 'ide_bridge_reconciler_resolved_total',
      help: 'Alerts the bridge resolved itself because Alertmanager no longer had them (a silenced resolve, a resolve lost while the bridge was down).',
      registers: [registry],
    });
    this.escalations = new Counter({
      name: 'ide_bridge_escalations_total',
      help: "Firing alerts escalated to their route's escalate_to channels because nobody acknowledged them in time.",
      registers: [registry],
    });
    this.acks = new Counter({
      name: 'ide_bridge_acks_total',
      help: 'Acknowledgements by action (ack, unack, resolve_note).',
      labelNames: ['action'],
      registers: [registry],
    });
    const notificationChannels = channels.filter((c) => c !== 'action');
    for (const channel of notificationChannels) {
      for (const outcome of ['delivered', 'retried', 'failed', 'dead_lettered'] as const) this.notifications.inc({ channel, outcome }, 0);
    }
    // Computed at scrape from the store itself, so they are right after a restart and across replicas. A
    // store that does not answer keeps the last values rather than failing the scrape.
    let last: PendingStat[] = [];
    // Both gauges below are collected in one scrape, at once: they share the read in flight, not one each.
    let reading: Promise<PendingStat[]> | undefined;
    const read = async () => {
      try {
        last = (await store()?.pendingStats()) ?? last;
      } catch {
        /* keep the last known values */
      }
      return last;
    };
    const stats = () => (reading ??= read().finally(() => (reading = undefined)));
    const pending = new Gauge({
      name: 'ide_bridge_outbox_pending',
      help: 'Deliveries waiting in the outbox (pending or in flight), by channel.',
      labelNames: ['channel'],
      registers: [registry],
      async collect() {
        const current = await stats();
        for (const channel of channels) pending.set({ channel }, current.find((s) => s.channel === channel)?.pending ?? 0);
      },
    });
    const oldest = new Gauge({
      name: 'ide_bridge_outbox_oldest_age_seconds',
      help: 'Age of the oldest undelivered outbox entry, by channel (0 when empty).',
      labelNames: ['channel'],
      registers: [registry],
      async collect() {
        const current = await stats();
        const now = Date.now();
        for (const channel of channels) {
          const stat = current.find((s) => s.channel === channel);
          oldest.set({ channel }, stat === undefined ? 0 : Math.max(0, (now - stat.oldestCreatedAt) / 1000));
        }
      },
    });
  }
}
