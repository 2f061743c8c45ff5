import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { MonitoringConfig } from '../config.js';
import { dashboardAlerts } from '../host-metrics.js';
import { dashboardSelector } from '../promql.js';
import { Board, q } from './board.js';
import { exporterHealthRow } from './exporter-row.js';
import { above } from './steps.js';

/** What fired, and what the bridge did about it: notifications, actions, the outbox. */
export function alertsDashboard(config: MonitoringConfig): Dashboard {
  const d = dashboardSelector(config.clusterLabel);
  const t = config.thresholds;
  const rate = (metric: string, ...matchers: string[]) => `rate(${d(metric, ...matchers)}[$__rate_interval])`;
  const firing = dashboardAlerts(config, 'alertstate="firing"');
  const board = new Board(
    config,
    'alerts',
    'Alerts firing over time and the alert bridge: webhook intake, notifications per channel, automated actions and the outbox.',
    { hostPanels: true },
  )
    .row('Alerts')
    .timeseries({
      title: 'Firing alerts by severity',
      description: 'ide-monitor alerts firing for the selected instances, by severity (Prometheus\u2019 ALERTS series).',
      unit: 'none',
      queries: [q(`count by (severity) (${firing})`, '{{severity}}')],
      stack: true,
      width: 12,
    })
    .table({
      title: 'Firing now',
      description: 'Alerts firing now for the selected instances; open the runbook from the alert\u2019s runbook_url annotation.',
      unit: 'none',
      labels: ['alertname', 'severity', 'instance'],
      columns: [{ title: 'Series', unit: 'none' }],
      queries: [q(`count by (alertname, severity, instance) (${firing})`)],
      width: 12,
    })
    .row('Bridge intake')
    .timeseries({
      title: 'Webhook requests by outcome',
      description: 'Alertmanager webhook calls per second by outcome; anything but accepted means lost or retried notifications.',
      unit: 'reqps',
      queries: [q(`sum by (outcome) (${rate('ide_bridge_webhook_requests_total')})`, '{{outcome}}')],
    })
    .timeseries({
      title: 'Alerts received by status',
      description: 'Alerts per second received from Alertmanager, firing and resolved.',
      unit: 'ops',
      queries: [q(`sum by (status) (${rate('ide_bridge_alerts_received_total')})`, '{{status}}')],
    })
    .row('Notifications')
    .timeseries({
      title: 'Notifications by channel and outcome',
      description: 'Delivery attempts per second per channel: delivered, retried, failed, dead-lettered (IdeBridgeDeliveryFailing).',
      unit: 'ops',
      queries: [q(`sum by (channel, outcome) (${rate('ide_bridge_notifications_total')})`, '{{channel}} {{outcome}}')],
      width: 8,
    })
    .timeseries({
      title: 'Notification p95 duration',
      description: '95th-percentile time to deliver one notification per channel.',
      unit: 's',
      queries: [q(`histogram_quantile(0.95, sum by (channel, le) (${rate('ide_bridge_notification_duration_seconds_bucket')}))`, '{{channel}}')],
      width: 8,
    })
    .timeseries({
      title: 'Actions by phase and outcome',
      description: 'Automated actions per second: triggers and rollbacks, by outcome.',
      unit: 'ops',
      queries: [q(`sum by (action, phase, outcome) (${rate('ide_bridge_actions_total')})`, '{{action}} {{phase}} {{outcome}}')],
      width: 8,
    })
    .row('Outbox')
    .timeseries({
      title: 'Outbox pending',
      description: 'Notifications waiting in the durable outbox per channel; the dashed line is the IdeBridgeOutboxBacklogGrowing threshold.',
      unit: 'none',
      queries: [q(`sum by (channel) (${d('ide_bridge_outbox_pending')})`, '{{channel}}')],
      steps: above(t.bridgeOutboxBacklogGrowing.levels),
    })
    .timeseries({
      title: 'Oldest pending notification',
      description: 'Age of the oldest notification still waiting per channel: how late the next delivery already is.',
      unit: 's',
      queries: [q(`max by (channel) (${d('ide_bridge_outbox_oldest_age_seconds')})`, '{{channel}}')],
    });
  return exporterHealthRow(board).build();
}
