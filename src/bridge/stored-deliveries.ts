import { groupNotification, type IntakeChannel } from './intake.js';
import type { AckNotification, AlertNotification, NotifiedAlert } from './notification.js';
import { route, type Route } from './routing.js';
import type { NewDelivery, StoredAlert } from './store/types.js';

/**
 * Deliveries the bridge makes on its own about a stored alert (an escalation, an ack), beside those the
 * intake plans from Alertmanager's payloads. Their order keys are the intake's (the group for group
 * channels, the alert for per-alert ones), so an ack never overtakes its alert's firing message.
 */
export function asNotifiedAlert(alert: StoredAlert, status: 'firing' | 'resolved' = alert.status, endsAt: string = alert.endsAt): NotifiedAlert {
  return {
    status,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: alert.startsAt,
    endsAt,
    generatorURL: alert.generatorURL,
    fingerprint: alert.fingerprint,
    ...(alert.resolution !== null && status === 'resolved' && { resolution: alert.resolution }),
  };
}

/** The channels an alert reached: its route's, plus its escalation's once it escalated. */
export function channelsOf(routes: readonly Route[], alert: StoredAlert): Set<string> {
  const decision = route(routes, alert.labels);
  const channels = new Set(decision.channels);
  if (alert.escalatedAt !== null) for (const c of decision.escalation?.channels ?? []) channels.add(c);
  return channels;
}

/** The alert as a firing notification on each named channel (an escalation), with a note saying why. */
export function firingDeliveries(
  alert: StoredAlert,
  channels: Iterable<string>,
  configured: ReadonlyMap<string, IntakeChannel>,
  keyPrefix: string,
  note: string,
): NewDelivery[] {
  const notified = asNotifiedAlert(alert, 'firing');
  const deliveries: NewDelivery[] = [];
  for (const name of channels) {
    const channel = configured.get(name);
    if (channel === undefined) continue;
    const body =
      channel.definition.unit === 'alert'
        ? ({
            kind: 'alert',
            receiver: 'ide-monitor',
            groupKey: alert.groupKey,
            externalURL: alert.externalURL,
            alert: notified,
            note,
          } satisfies AlertNotification)
        : groupNotification(
            {
              receiver: 'ide-monitor',
              groupKey: alert.groupKey,
              groupLabels: { alertname: alert.alertname },
              commonLabels: alert.labels,
              commonAnnotations: {},
              externalURL: alert.externalURL,
              truncatedAlerts: 0,
            },
            [notified],
            note,
          );
    deliveries.push(delivery(name, channel, alert, `${keyPrefix}|${alert.fingerprint}|${alert.startsAt}`, JSON.stringify(body)));
  }
  return deliveries;
}

/** An ack or unack on every channel the alert reached that shows acks. */
export function ackDeliveries(
  alert: StoredAlert,
  channels: Iterable<string>,
  configured: ReadonlyMap<string, IntakeChannel>,
  ack: Omit<AckNotification, 'kind' | 'groupKey' | 'externalURL' | 'alert'>,
): NewDelivery[] {
  const body: AckNotification = { kind: 'ack', groupKey: alert.groupKey, externalURL: alert.externalURL, alert: asNotifiedAlert(alert), ...ack };
  const deliveries: NewDelivery[] = [];
  for (const name of channels) {
    const channel = configured.get(name);
    if (channel === undefined || channel.definition.ack === 'none') continue;
    deliveries.push(delivery(name, channel, alert, `${ack.action}|${alert.fingerprint}|${alert.startsAt}|${ack.at}`, JSON.stringify(body)));
  }
  return deliveries;
}

function delivery(name: string, channel: IntakeChannel, alert: StoredAlert, dedupKey: string, body: string): NewDelivery {
  return {
    channel: name,
    dedupKey,
    orderKey: channel.definition.unit === 'alert' ? alert.fingerprint : alert.groupKey,
    body,
    fingerprints: [alert.fingerprint],
  };
}
