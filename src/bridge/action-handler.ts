import type { ActionAlert, ActionPhase, ActionRecord } from './actions/model.js';
import type { ActionDefinition } from './actions/schema.js';
import type { DeliveryResult } from './channels/notifier.js';
import type { ChannelHandler } from './dispatcher.js';
import type { ActionDelivery } from './intake.js';
import type { BridgeMetrics } from './metrics.js';
import type { BridgeStore, OutboxItem } from './store/types.js';

/** The part of the actions module's ActionRunner the bridge uses. */
export interface ActionRunnerLike {
  applicable(alert: ActionAlert): ActionDefinition[];
  run(definition: ActionDefinition, phase: ActionPhase, alert: ActionAlert): Promise<ActionRecord>;
  close(): Promise<void>;
}

/**
 * Action deliveries: exactly one run per delivery (never retried by the dispatcher: a half-done restart
 * repeated blindly can do more harm than the alert), each run's record in the audit log and counted.
 * The store keeps which episodes triggered, so that across restarts and replicas a trigger respects its
 * cooldown and a rollback runs only for an episode whose trigger ran (a flap inside the cooldown must not
 * undo a remediation twice).
 */
export function actionHandler(
  runner: ActionRunnerLike,
  definitions: readonly ActionDefinition[],
  store: BridgeStore,
  metrics: BridgeMetrics,
  concurrency: number,
  now: () => number = Date.now,
): ChannelHandler {
  const byName = new Map(definitions.map((d) => [d.name, d]));
  return {
    channel: 'action',
    concurrency,
    minIntervalMs: 0,
    oneShot: true,
    async deliver(item: OutboxItem): Promise<DeliveryResult> {
      const delivery = JSON.parse(item.body) as ActionDelivery;
      const definition = byName.get(delivery.action);
      const record =
        definition === undefined
          ? notRun(delivery, 'failed', `action ${JSON.stringify(delivery.action)} is no longer configured`)
          : await runOnce(definition, delivery);
      await store.audit('action', delivery.alert.fingerprint, record);
      metrics.actions.inc({ action: record.action, phase: record.phase, outcome: record.outcome });
      const ok =
        record.outcome === 'succeeded' || record.outcome === 'dry_run' || record.outcome === 'skipped_cooldown' || record.outcome === 'skipped_no_trigger';
      return ok ? { outcome: 'delivered' } : { outcome: 'give_up', reason: `${record.outcome}${record.error === undefined ? '' : `: ${record.error}`}` };
    },
  };

  async function runOnce(definition: ActionDefinition, delivery: ActionDelivery): Promise<ActionRecord> {
    const { alert, phase } = delivery;
    if (phase === 'rollback') {
      if (!(await store.triggered(definition.name, alert.fingerprint, alert.startsAt))) {
        return notRun(delivery, 'skipped_no_trigger', 'the trigger did not run for this firing episode (cooldown or not configured then); nothing to undo');
      }
      return runner.run(definition, phase, alert);
    }
    const at = now();
    const last = await store.lastTrigger(definition.name, alert.fingerprint);
    if (last !== undefined && at - last < definition.cooldown) {
      return notRun(
        delivery,
        'skipped_cooldown',
        `triggered ${Math.round((at - last) / 1000)}s ago for this alert; cooldown is ${Math.round(definition.cooldown / 1000)}s`,
      );
    }
    // Stamped before the run: a trigger that started counts, and its rollback must run.
    await store.recordTrigger(definition.name, alert.fingerprint, alert.startsAt, at);
    const record = await runner.run(definition, phase, alert);
    // Refused before it started (queue full, shutting down): nothing to undo, no cooldown.
    if (record.outcome === 'failed' && record.error?.startsWith('not run:') === true)
      await store.forgetTrigger(definition.name, alert.fingerprint, alert.startsAt);
    return record;
  }
}

/** A run that did not happen, as an audit record. */
function notRun(delivery: ActionDelivery, outcome: 'failed' | 'skipped_cooldown' | 'skipped_no_trigger', error: string): ActionRecord {
  return {
    action: delivery.action,
    phase: delivery.phase,
    fingerprint: delivery.alert.fingerprint,
    alertname: delivery.alert.labels['alertname'] ?? '',
    kind: 'exec',
    target: outcome === 'failed' ? '(not configured)' : '',
    startedAt: new Date().toISOString(),
    durationMs: 0,
    outcome,
    outputExcerpt: '',
    error,
  };
}
