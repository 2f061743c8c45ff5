import { createHash } from 'node:crypto';
import type { ActionDefinition } from './actions/schema.js';
import type { ActionAlert, ActionPhase } from './actions/model.js';
import type { BridgeChannel } from '../config/sections/bridge.js';
import type { AlertStore } from './alert-store.js';
import { durably, type Db } from './db.js';
import type { Outbox, OutboxChannel } from './outbox.js';
import type { WebhookAlert, WebhookPayload } from './payload.js';
import { route, type Route } from './routing.js';

/** What a group channel (Slack, webhook) renders: the group as Alertmanager sent it, narrowed to the alerts routed there. */
export interface GroupNotification {
  readonly receiver: string;
  readonly status: 'firing' | 'resolved';
  readonly groupKey: string;
  readonly groupLabels: Record<string, string>;
  readonly commonLabels: Record<string, string>;
  readonly commonAnnotations: Record<string, string>;
  readonly externalURL: string;
  readonly truncatedAlerts: number;
  readonly alerts: WebhookAlert[];
}

/** What a per-alert channel (PagerDuty) renders. */
export interface AlertNotification {
  readonly receiver: string;
  readonly groupKey: string;
  readonly externalURL: string;
  readonly alert: WebhookAlert;
}

export interface ActionDelivery {
  readonly action: string;
  readonly phase: ActionPhase;
  readonly alert: ActionAlert;
}

export interface IntakeOptions {
  readonly routes: readonly Route[];
  /** Channels with an endpoint configured; routes naming others are skipped (warned about at startup). */
  readonly channels: ReadonlySet<BridgeChannel>;
  readonly sendResolved: Readonly<Record<BridgeChannel, boolean>>;
  /** Which configured actions apply to an alert (the actions module's `ActionRunner.applicable`). */
  readonly applicableActions: (alert: ActionAlert) => readonly ActionDefinition[];
}

export interface IntakeResult {
  readonly alerts: number;
  /** Alert events not seen before; 0 means the whole payload was a duplicate. */
  readonly newEvents: readonly WebhookAlert[];
  readonly enqueued: ReadonlyMap<OutboxChannel, number>;
}

const GROUP_CHANNELS = ['slack', 'webhook'] as const;

/**
 * Turns one webhook payload into durable state in one transaction: alert events (deduplicated on
 * fingerprint + status + startsAt), the alerts' latest state, and the outbox deliveries for every channel
 * and action the routes select. When it returns, everything is on disk; when it throws, nothing is.
 */
export class Intake {
  private readonly acceptTx;
  private readonly acceptBatchTx;

  constructor(private readonly db: Db, alerts: AlertStore, outbox: Outbox, private readonly options: IntakeOptions) {
    this.acceptTx = db.transaction((payload: WebhookPayload): IntakeResult => {
      const enqueued = new Map<OutboxChannel, number>();
      const count = (channel: OutboxChannel, added: boolean) => {
        if (added) enqueued.set(channel, (enqueued.get(channel) ?? 0) + 1);
      };
      const newEvents: WebhookAlert[] = [];
      const routed = new Map<BridgeChannel, WebhookAlert[]>();
      const fresh = new Map<BridgeChannel, boolean>();
      for (const alert of payload.alerts) {
        const isNew = alerts.recordEvent(alert, payload.groupKey, payload.externalURL);
        if (isNew) newEvents.push(alert);
        const decision = route(this.options.routes, alert.labels);
        for (const channel of decision.channels) {
          if (!this.options.channels.has(channel)) continue;
          if (alert.status === 'resolved' && !this.options.sendResolved[channel]) continue;
          if (channel === 'pagerduty') {
            if (isNew) count('pagerduty', outbox.enqueue(pagerdutyDelivery(payload, alert)));
            continue;
          }
          const subset = routed.get(channel);
          if (subset === undefined) routed.set(channel, [alert]);
          else subset.push(alert);
          if (isNew) fresh.set(channel, true);
        }
        if (isNew && decision.actions) {
          for (const delivery of actionDeliveries(alert, this.options.applicableActions)) count('action', outbox.enqueue(delivery));
        }
      }
      for (const channel of GROUP_CHANNELS) {
        const subset = routed.get(channel);
        if (subset === undefined || fresh.get(channel) !== true) continue;
        count(channel, outbox.enqueue(groupDelivery(channel, payload, subset)));
      }
      return { alerts: payload.alerts.length, newEvents, enqueued };
    });
    this.acceptBatchTx = db.transaction((payloads: readonly WebhookPayload[]) => payloads.map((payload) => this.acceptTx(payload)));
  }

  accept(payload: WebhookPayload): IntakeResult {
    return durably(this.db, () => this.acceptTx.immediate(payload));
  }

  private queue: Array<{ payload: WebhookPayload; resolve: (r: IntakeResult) => void; reject: (e: unknown) => void }> = [];

  /**
   * Group commit: payloads submitted in the same event-loop turn share one transaction and one fsync.
   * The fsync dominates the cost of a request, so under concurrent load this multiplies what the disk
   * allows; each caller still answers only after the commit that holds its payload.
   */
  submit(payload: WebhookPayload): Promise<IntakeResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ payload, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.queue.splice(0);
    let results: IntakeResult[];
    try {
      results = durably(this.db, () => this.acceptBatchTx.immediate(batch.map((b) => b.payload)));
    } catch (error) {
      for (const b of batch) b.reject(error);
      return;
    }
    batch.forEach((b, i) => b.resolve(results[i]!));
  }
}

const eventKey = (alert: WebhookAlert) => `${alert.fingerprint}|${alert.status}|${alert.startsAt}`;

function groupDelivery(channel: OutboxChannel, payload: WebhookPayload, alerts: WebhookAlert[]) {
  const notification: GroupNotification = {
    receiver: payload.receiver,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    groupKey: payload.groupKey,
    groupLabels: payload.groupLabels,
    commonLabels: payload.commonLabels,
    commonAnnotations: payload.commonAnnotations,
    externalURL: payload.externalURL,
    truncatedAlerts: payload.truncatedAlerts,
    alerts,
  };
  // The group, its status and exactly which alert events it carries: a re-send of the same state is the same key.
  const key = createHash('sha256')
    .update(payload.groupKey)
    .update('\n')
    .update(alerts.map(eventKey).sort().join('\n'))
    .digest('hex');
  return { channel, dedupKey: key, orderKey: payload.groupKey, body: JSON.stringify(notification), fingerprints: alerts.map((a) => a.fingerprint) };
}

function pagerdutyDelivery(payload: WebhookPayload, alert: WebhookAlert) {
  const notification: AlertNotification = { receiver: payload.receiver, groupKey: payload.groupKey, externalURL: payload.externalURL, alert };
  // Per alert, in order: a resolve never overtakes its trigger.
  return { channel: 'pagerduty' as const, dedupKey: eventKey(alert), orderKey: alert.fingerprint, body: JSON.stringify(notification), fingerprints: [alert.fingerprint] };
}

export function toActionAlert(alert: WebhookAlert): ActionAlert {
  return {
    fingerprint: alert.fingerprint,
    status: alert.status,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: alert.startsAt,
    endsAt: alert.endsAt,
    generatorURL: alert.generatorURL,
  };
}

function actionDeliveries(alert: WebhookAlert, applicable: IntakeOptions['applicableActions']) {
  const actionAlert = toActionAlert(alert);
  const phase: ActionPhase = alert.status === 'firing' ? 'trigger' : 'rollback';
  return applicable(actionAlert)
    .filter((definition) => phase === 'trigger' || definition.rollback !== undefined)
    .map((definition) => {
      const delivery: ActionDelivery = { action: definition.name, phase, alert: actionAlert };
      return {
        channel: 'action' as const,
        dedupKey: `${definition.name}|${phase}|${alert.fingerprint}|${alert.startsAt}`,
        orderKey: `${definition.name}|${alert.fingerprint}`,
        body: JSON.stringify(delivery),
        fingerprints: [alert.fingerprint],
      };
    });
}
