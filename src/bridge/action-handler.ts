import type { ActionAlert, ActionPhase, ActionRecord } from './actions/model.js';
import type { ActionDefinition } from './actions/schema.js';
import type { AlertStore } from './alert-store.js';
import type { DeliveryResult } from './channels/notifier.js';
import type { ChannelHandler } from './dispatcher.js';
import type { ActionDelivery } from './intake.js';
import type { BridgeMetrics } from './metrics.js';
import type { OutboxItem } from './outbox.js';

/** The part of the actions module's ActionRunner the bridge uses. */
export interface ActionRunnerLike {
  applicable(alert: ActionAlert): ActionDefinition[];
  run(definition: ActionDefinition, phase: ActionPhase, alert: ActionAlert): Promise<ActionRecord>;
  close(): Promise<void>;
}

/**
 * Action deliveries: exactly one run per delivery (never retried by the dispatcher: a half-done restart
 * repeated blindly can do more harm than the alert), each run's record in the audit log and counted.
 */
export function actionHandler(runner: ActionRunnerLike, definitions: readonly ActionDefinition[], alerts: AlertStore, metrics: BridgeMetrics, concurrency: number): ChannelHandler {
  const byName = new Map(definitions.map((d) => [d.name, d]));
  return {
    channel: 'action',
    concurrency,
    minIntervalMs: 0,
    oneShot: true,
    async deliver(item: OutboxItem): Promise<DeliveryResult> {
      const delivery = JSON.parse(item.body) as ActionDelivery;
      const definition = byName.get(delivery.action);
      const record: ActionRecord =
        definition === undefined ? notConfigured(delivery) : await runner.run(definition, delivery.phase, delivery.alert);
      alerts.audit('action', delivery.alert.fingerprint, record);
      metrics.actions.inc({ action: record.action, phase: record.phase, outcome: record.outcome });
      const ok = record.outcome === 'succeeded' || record.outcome === 'dry_run' || record.outcome === 'skipped_cooldown';
      return ok ? { outcome: 'delivered' } : { outcome: 'give_up', reason: `${record.outcome}${record.error === undefined ? '' : `: ${record.error}`}` };
    },
  };
}

/** The configuration changed between enqueue and run: say so in the audit log instead of guessing. */
function notConfigured(delivery: ActionDelivery): ActionRecord {
  return {
    action: delivery.action,
    phase: delivery.phase,
    fingerprint: delivery.alert.fingerprint,
    alertname: delivery.alert.labels['alertname'] ?? '',
    kind: 'exec',
    target: '(not configured)',
    startedAt: new Date().toISOString(),
    durationMs: 0,
    outcome: 'failed',
    outputExcerpt: '',
    error: `action ${JSON.stringify(delivery.action)} is no longer configured`,
  };
}
