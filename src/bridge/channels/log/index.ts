import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import type { Notification } from '../../notification.js';
import { channelCommon, defineChannel } from '../definition.js';
import { alertPlace } from '../format.js';
import type { Notifier } from '../notifier.js';

const schema = z
  .strictObject({
    /** On by default: it needs nothing, and the default routes send low and info alerts here. */
    enabled: z.boolean().default(true),
    ...channelCommon,
  })
  .prefault({});

const METRIC = 'ide_bridge_log_notifications_total';
type Level = 'error' | 'warn' | 'info';
/** Firing alerts log at their severity's level; resolves and acks are news, not trouble. */
const LEVEL: Record<string, Level> = { critical: 'error', high: 'warn', warning: 'warn', medium: 'warn', low: 'info', info: 'info' };

/** The specification's "low → log": one structured log line per alert event and ack, counted; no network. */
export const log = defineChannel<z.output<typeof schema>>({
  name: 'log',
  title: 'log',
  unit: 'alert',
  ack: 'message',
  schema,
  settings: [
    {
      name: 'log-channel.enabled',
      path: ['bridge', 'channels', 'log', 'enabled'],
      kind: 'boolean',
      help: 'Log routed alerts as structured log lines (the log channel).',
    },
  ],
  onByDefault: true,
  configureHint: 'bridge.channels.log.enabled',
  create(config, context): Notifier | undefined {
    if (!config.enabled) return undefined;
    const counter = logCounter(context.registry);
    return {
      async notify(notification) {
        if (notification.kind === 'group') return { outcome: 'give_up', reason: 'the log channel logs per-alert notifications, not groups' };
        const { level, fields, message } = logLine(notification);
        context.logger[level](fields, message);
        counter.inc({ kind: notification.kind === 'ack' ? notification.action : notification.alert.status, severity: fields.severity });
        return { outcome: 'delivered' };
      },
    };
  },
  pacing: () => ({ concurrency: 4, minIntervalMs: 0 }),
});

/** One counter per registry: a second bridge in the same process (tests) reuses it. */
function logCounter(registry: Registry): Counter<'kind' | 'severity'> {
  const existing = registry.getSingleMetric(METRIC);
  if (existing !== undefined) return existing as Counter<'kind' | 'severity'>;
  return new Counter({
    name: METRIC,
    help: 'Alert notifications written by the log channel, by kind (firing, resolved, acknowledged, unacknowledged) and severity.',
    labelNames: ['kind', 'severity'],
    registers: [registry],
  });
}

export interface LogLine {
  readonly level: Level;
  readonly fields: { readonly severity: string } & Record<string, unknown>;
  readonly message: string;
}

export function logLine(notification: Exclude<Notification, { kind: 'group' }>): LogLine {
  const { alert } = notification;
  const severity = alert.labels['severity'] ?? '';
  const base = { alertname: alert.labels['alertname'] ?? '', severity, fingerprint: alert.fingerprint, where: alertPlace(alert), starts_at: alert.startsAt };
  if (notification.kind === 'ack') {
    return {
      level: 'info',
      fields: { ...base, event: notification.action, by: notification.by, comment: notification.comment },
      message: `alert ${notification.action}`,
    };
  }
  const status = alert.status;
  return {
    level: status === 'firing' ? (LEVEL[severity] ?? 'warn') : 'info',
    fields: {
      ...base,
      event: status,
      summary: alert.annotations['summary'],
      labels: alert.labels,
      ...(status === 'resolved' && { ends_at: alert.endsAt, resolution: alert.resolution }),
      ...(notification.note !== undefined && { note: notification.note }),
    },
    message: status === 'firing' ? 'alert firing' : 'alert resolved',
  };
}
