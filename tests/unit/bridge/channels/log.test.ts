import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { log, logLine } from '../../../../src/bridge/channels/log/index.js';
import { routingProblems } from '../../../../src/bridge/feature.js';
import { compileRoutes } from '../../../../src/bridge/routing.js';
import { bridgeSchema } from '../../../../src/config/sections/bridge.js';
import { createLogger } from '../../../../src/log.js';
import { golden } from '../../../support/golden.js';
import { ackNotification, alertNotification, group, payload } from '../fixtures.js';
import { notifierOf } from './helpers.js';

describe('the log channel', () => {
  const mixed = payload('firing-and-resolved');

  it('writes one structured line per alert event and ack, as the golden file shows', () => {
    golden('log-lines', {
      firing: logLine(alertNotification(mixed.alerts[0]!)),
      resolved: logLine(alertNotification({ ...mixed.alerts[1]!, resolution: 'rebooted' })),
      ack: logLine(ackNotification(mixed.alerts[0]!)),
    });
  });

  it("logs at the severity's level through the bridge logger (JSON) and counts each line", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const registry = new Registry();
    const config = log.schema.parse({});
    const notifier = log.create(config, { logger: createLogger({ level: 'info', format: 'json' }, sink), registry })!;
    const alert = mixed.alerts[0]!;
    const severities = ['critical', 'high', 'medium', 'low'];
    for (const severity of severities)
      expect(await notifier.notify(alertNotification({ ...alert, labels: { ...alert.labels, severity } }), severity)).toEqual({ outcome: 'delivered' });
    expect(await notifier.notify(alertNotification({ ...alert, status: 'resolved' }), 'r')).toEqual({ outcome: 'delivered' });
    expect(await notifier.notify(ackNotification(alert), 'a')).toEqual({ outcome: 'delivered' });
    expect(await notifier.notify(group(mixed), 'g')).toMatchObject({ outcome: 'give_up' });
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => `${String(l['level'])} ${String(l['msg'])} ${String(l['severity'])}`)).toEqual([
      'error alert firing critical',
      'warn alert firing high',
      'warn alert firing medium',
      'info alert firing low',
      'info alert resolved critical',
      'info alert acknowledged critical',
    ]);
    expect(lines[0]).toMatchObject({ alertname: 'IdeHostCpuHighUsage', fingerprint: alert.fingerprint, where: 'dev-1:10451', labels: alert.labels });
    const metrics = await registry.getSingleMetricAsString('ide_bridge_log_notifications_total');
    expect(metrics).toContain('ide_bridge_log_notifications_total{kind="firing",severity="critical"} 1');
    expect(metrics).toContain('ide_bridge_log_notifications_total{kind="resolved",severity="critical"} 1');
    expect(metrics).toContain('ide_bridge_log_notifications_total{kind="acknowledged",severity="critical"} 1');
  });

  it("is not reported as unrouted when a config's own routes leave it out (that turns it off for them)", () => {
    const config = bridgeSchema.parse({ routes: [{ match: { severity: 'critical' }, channels: ['email'] }] });
    const problems = routingProblems(
      compileRoutes(config.routes),
      new Map([
        ['log', {}],
        ['teams', {}],
      ]),
      config,
    );
    expect(problems).toEqual([
      'channel email is routed to but not configured; set bridge.channels.email.smtp_host, from and to (IDE_MONITOR_EMAIL_SMTP_HOST, IDE_MONITOR_EMAIL_FROM, IDE_MONITOR_EMAIL_TO). Its notifications are skipped',
      "channel teams is configured but no route sends to it (bridge.routes); add it to a route's channels or it receives nothing",
    ]);
  });

  it('is on by default and off with enabled: false', () => {
    expect(log.onByDefault).toBe(true);
    expect(() => notifierOf(log, {})).not.toThrow();
    expect(
      log.create(log.schema.parse({ enabled: false }), { logger: createLogger({ level: 'info', format: 'json' }), registry: new Registry() }),
    ).toBeUndefined();
  });
});
