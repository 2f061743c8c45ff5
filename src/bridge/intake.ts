import { createHash } from 'node:crypto';
import type { ActionDefinition } from './actions/schema.js';
import type { ActionAlert, ActionPhase } from './actions/model.js';
import type { AnyChannel } from './channels/definition.js';
import type { AlertNotification, GroupNotification, NotifiedAlert } from './notification.js';
import type { WebhookAlert, WebhookPayload } from './payload.js';
import { route, type Route } from './routing.js';
import {
  eventKey,
  type AlertEventInput,
  type BridgeStore,
  type IntakeBatch,
  type IntakeOutcome,
  type PlannedDelivery,
  type StoredAlert,
} from './store/types.js';

export interface ActionDelivery {
  readonly action: string;
  readonly phase: ActionPhase;
  readonly alert: ActionAlert;
}

/** A configured channel as the intake sees it. */
export interface IntakeChannel {
  readonly definition: AnyChannel;
  readonly sendResolved: boolean;
}

export interface IntakeOptions {
  readonly routes: readonly Route[];
  /** Channels with an endpoint configured, by name; routes naming others are skipped (warned about at startup). */
  readonly channels: ReadonlyMap<string, IntakeChannel>;
  /** Which configured actions apply to an alert (the actions module's `ActionRunner.applicable`). */
  readonly applicableActions: (alert: ActionAlert) => readonly ActionDefinition[];
  readonly now?: () => number;
}

export interface IntakeResult {
  readonly alerts: number;
  /** Alert events not seen before; none means the whole payload was a duplicate. */
  readonly newEvents: readonly WebhookAlert[];
  readonly enqueued: ReadonlyMap<string, number>;
}

/**
 * Turns webhook payloads (and the reconciler's synthetic resolves) into durable state: alert events
 * (deduplicated on fingerprint + status + startsAt), the alerts' latest state, and the outbox deliveries
 * for every channel and action the routes select. The plan is made here; the store records it in one
 * transaction, enqueuing a delivery only when an event it carries is new (an Alertmanager re-send or an
 * HA peer's copy enqueues nothing, on any replica).
 */
export class Intake {
  private readonly now: () => number;

  constructor(
    private readonly store: BridgeStore,
    private readonly options: IntakeOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  private queue: Array<{ payload: WebhookPayload; batch: IntakeBatch; resolve: (r: IntakeResult) => void; reject: (e: unknown) => void }> = [];

  /**
   * Group commit: payloads submitted in the same event-loop turn share one transaction and one fsync.
   * The fsync dominates the cost of a request, so under concurrent load this multiplies what the disk
   * allows; each caller still answers only after the commit that holds its payload.
   */
  async submit(payload: WebhookPayload): Promise<IntakeResult> {
    const stored = await this.episodesOfResolved(payload);
    const batch = this.plan(payload, stored);
    return new Promise((resolve, reject) => {
      this.queue.push({ payload, batch, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const queued = this.queue.splice(0);
    let outcomes: IntakeOutcome[];
    try {
      outcomes = await this.store.intake(queued.map((q) => q.batch));
    } catch (error) {
      for (const q of queued) q.reject(error);
      return;
    }
    queued.forEach((q, i) => {
      const outcome = outcomes[i]!;
      q.resolve({ alerts: q.payload.alerts.length, newEvents: q.payload.alerts.filter((a) => outcome.newEvents.has(eventKey(a))), enqueued: outcome.enqueued });
    });
  }

  /** What the store knows of the episodes being resolved: their resolution notes and whether they escalated. */
  private async episodesOfResolved(payload: WebhookPayload): Promise<Map<string, StoredAlert>> {
    const resolved = payload.alerts.filter((a) => a.status === 'resolved');
    if (resolved.length === 0) return new Map();
    const stored = await this.store.getAlerts(resolved.map((a) => a.fingerprint));
    for (const alert of resolved) if (stored.get(alert.fingerprint)?.startsAt !== alert.startsAt) stored.delete(alert.fingerprint);
    return stored;
  }

  private plan(payload: WebhookPayload, episodes: ReadonlyMap<string, StoredAlert>): IntakeBatch {
    const now = this.now();
    const events: AlertEventInput[] = [];
    const deliveries: PlannedDelivery[] = [];
    const grouped = new Map<string, NotifiedAlert[]>();
    for (const raw of payload.alerts) {
      const episode = episodes.get(raw.fingerprint);
      const alert: NotifiedAlert = episode?.resolution == null ? raw : { ...raw, resolution: episode.resolution };
      const decision = route(this.options.routes, alert.labels);
      events.push({
        fingerprint: alert.fingerprint,
        status: alert.status,
        startsAt: alert.startsAt,
        endsAt: alert.endsAt,
        alertname: alert.labels['alertname'] ?? '',
        severity: alert.labels['severity'] ?? '',
        labels: alert.labels,
        annotations: alert.annotations,
        generatorURL: alert.generatorURL,
        groupKey: payload.groupKey,
        externalURL: payload.externalURL,
        ...(decision.escalation !== undefined && { escalateAt: now + decision.escalation.afterMs }),
      });
      // An escalated episode's resolve also goes where the escalation went.
      const channels = new Set(decision.channels);
      if (alert.status === 'resolved' && episode?.escalatedAt != null) for (const c of decision.escalation?.channels ?? []) channels.add(c);
      for (const name of channels) {
        const channel = this.options.channels.get(name);
        if (channel === undefined) continue;
        if (alert.status === 'resolved' && !channel.sendResolved) continue;
        if (channel.definition.unit === 'alert') {
          deliveries.push(alertDelivery(name, payload, alert));
          continue;
        }
        const subset = grouped.get(name);
        if (subset === undefined) grouped.set(name, [alert]);
        else subset.push(alert);
      }
      if (decision.actions) deliveries.push(...actionDeliveries(alert, this.options.applicableActions));
    }
    for (const [name, alerts] of grouped) deliveries.push(groupDelivery(name, payload, alerts));
    return { events, deliveries };
  }
}

/** A group channel's message: the group as Alertmanager sent it, narrowed to the alerts routed there. */
export function groupNotification(payload: Omit<WebhookPayload, 'alerts' | 'status' | 'version'>, alerts: NotifiedAlert[], note?: string): GroupNotification {
  return {
    kind: 'group',
    receiver: payload.receiver,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    groupKey: payload.groupKey,
    groupLabels: payload.groupLabels,
    commonLabels: payload.commonLabels,
    commonAnnotations: payload.commonAnnotations,
    externalURL: payload.externalURL,
    truncatedAlerts: payload.truncatedAlerts,
    alerts,
    ...(note !== undefined && { note }),
  };
}

function groupDelivery(channel: string, payload: WebhookPayload, alerts: NotifiedAlert[]): PlannedDelivery {
  // The group, its status and exactly which alert events it carries: a re-send of the same state is the same key.
  const key = createHash('sha256').update(payload.groupKey).update('\n').update(alerts.map(eventKey).sort().join('\n')).digest('hex');
  return {
    channel,
    dedupKey: key,
    orderKey: payload.groupKey,
    body: JSON.stringify(groupNotification(payload, alerts)),
    fingerprints: alerts.map((a) => a.fingerprint),
    ifNew: alerts.map(eventKey),
  };
}

function alertDelivery(channel: string, payload: WebhookPayload, alert: NotifiedAlert): PlannedDelivery {
  const notification: AlertNotification = { kind: 'alert', receiver: payload.receiver, groupKey: payload.groupKey, externalURL: payload.externalURL, alert };
  // Per alert, in order: a resolve never overtakes its trigger.
  return {
    channel,
    dedupKey: eventKey(alert),
    orderKey: alert.fingerprint,
    body: JSON.stringify(notification),
    fingerprints: [alert.fingerprint],
    ifNew: [eventKey(alert)],
  };
}

function toActionAlert(alert: WebhookAlert): ActionAlert {
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

function actionDeliveries(alert: WebhookAlert, applicable: IntakeOptions['applicableActions']): PlannedDelivery[] {
  const actionAlert = toActionAlert(alert);
  const phase: ActionPhase = alert.status === 'firing' ? 'trigger' : 'rollback';
  return applicable(actionAlert)
    .filter((definition) => phase === 'trigger' || definition.rollback !== undefined)
    .map((definition) => {
      const delivery: ActionDelivery = { action: definition.name, phase, alert: actionAlert };
      return {
        channel: 'action',
        dedupKey: `${definition.name}|${phase}|${alert.fingerprint}|${alert.startsAt}`,
        orderKey: `${definition.name}|${alert.fingerprint}`,
        body: JSON.stringify(delivery),
        fingerprints: [alert.fingerprint],
        ifNew: [eventKey(alert)],
      };
    });
}
