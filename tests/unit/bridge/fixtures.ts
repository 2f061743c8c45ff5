import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CHANNELS } from '../../../src/bridge/channels/registry.js';
import type { IntakeChannel } from '../../../src/bridge/intake.js';
import type { AckNotification, AlertNotification, GroupNotification, NotifiedAlert } from '../../../src/bridge/notification.js';
import { webhookPayloadSchema, type WebhookPayload } from '../../../src/bridge/payload.js';

const AM_FIXTURES = fileURLToPath(new URL('../../fixtures/alertmanager/', import.meta.url));

/** The payloads captured from the real Alertmanager (tests/fixtures/alertmanager/capture.mjs). */
export function amFixtures(): Array<{ name: string; body: unknown }> {
  return readdirSync(AM_FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), body: JSON.parse(readFileSync(`${AM_FIXTURES}${f}`, 'utf8')) as unknown }));
}

export function amFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${AM_FIXTURES}${name}.json`, 'utf8')) as Record<string, unknown>;
}

/** A captured Alertmanager payload, parsed as the webhook parses it. */
export const payload = (name: string): WebhookPayload => webhookPayloadSchema.parse(amFixture(name));

/** A group channel's notification of a captured payload (or of other alerts in its envelope). */
export const group = (p: WebhookPayload, alerts: NotifiedAlert[] = p.alerts): GroupNotification => ({
  kind: 'group',
  receiver: p.receiver,
  status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
  groupKey: p.groupKey,
  groupLabels: p.groupLabels,
  commonLabels: p.commonLabels,
  commonAnnotations: p.commonAnnotations,
  externalURL: p.externalURL,
  truncatedAlerts: p.truncatedAlerts,
  alerts,
});

/** A per-alert channel's notification. */
export const alertNotification = (alert: NotifiedAlert, externalURL = 'http://alertmanager.example:9093'): AlertNotification => ({
  kind: 'alert',
  receiver: 'bridge',
  groupKey: 'g',
  externalURL,
  alert,
});

/** An ack of `alert` by alice, with a comment. */
export const ackNotification = (alert: NotifiedAlert, action: AckNotification['action'] = 'acknowledged'): AckNotification => ({
  kind: 'ack',
  groupKey: '{}:{alertname="IdeHostCpuHighUsage"}',
  externalURL: 'http://alertmanager.example:9093',
  alert,
  action,
  by: 'alice',
  at: '2026-12-07T08:00:00.000Z',
  comment: 'looking into it',
});

/** An alert with every text 🔥-heavy and far beyond any service's limits, to test cutting. */
export function hugeAlert(base: NotifiedAlert, i = 0): NotifiedAlert {
  const fire = '🔥'.repeat(20_000);
  return {
    ...base,
    fingerprint: i.toString(16).padStart(16, '0'),
    labels: { ...base.labels, instance: `dev-${i}-${'🔥'.repeat(600)}`, extra: 'é'.repeat(3000) },
    annotations: { ...base.annotations, summary: `Summary ${i} ${fire}`, description: `Description ${i} ${fire}` },
  };
}

/** Every string inside a JSON-like value (keys included). */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...stringsIn(v)]);
  return [];
}

/** Channels as the feature configures them, without endpoints: the intake only reads unit and send_resolved. */
export function channelsNamed(...names: string[]): Map<string, IntakeChannel> {
  return new Map(names.map((name) => [name, { definition: CHANNELS.find((c) => c.name === name)!, sendResolved: true }]));
}
