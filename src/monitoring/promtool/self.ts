import { constant, counter, fires, quiet, series, type TestFile } from './model.js';

const SLACK = { channel: 'slack' };
const PAGERDUTY = { channel: 'pagerduty' };

export const selfTests: TestFile = {
  file: 'self',
  ruleFiles: ['self'],
  scenarios: [
    {
      // Another job going down is someone else's alert: the selector keeps it out.
      name: 'Exporter target down for more than five minutes',
      series: [
        [series('up'), '1x5 0x10'],
        ['up{job="node", instance="dev:9100"}', '0x15'],
      ],
      alerts: [
        ...quiet('IdeExporterDown', '8m'),
        {
          at: '12m',
          alert: 'IdeExporterDown',
          expect: [fires('high', {}, 'Prometheus has failed to scrape dev:10451 (job ide-monitor) for more than 5m; every other ide-monitor alert for it is blind.')],
        },
      ],
    },
    {
      name: 'A collector failing on every scrape, another one now and then',
      series: [
        [series('ide_exporter_collector_success', { collector: 'filesystem' }), constant(0, 20)],
        [series('ide_exporter_collector_success', { collector: 'diskio' }), '1 1 0 1 1 0 1 1 0 1 1 0 1 1 0 1 1 0 1 1 0'],
      ],
      alerts: [
        ...quiet('IdeExporterCollectorFailing', '5m'),
        {
          at: '15m',
          alert: 'IdeExporterCollectorFailing',
          expect: [fires('medium', { collector: 'filesystem' }, 'Collector filesystem on dev:10451 has failed or timed out on every scrape for more than 10m; its metrics are missing.')],
        },
      ],
    },
    {
      name: 'A notification failed; retries and deliveries are not failures',
      series: [
        [series('ide_bridge_notifications_total', { ...SLACK, outcome: 'failed' }), '0x10 1x20'],
        [series('ide_bridge_notifications_total', { ...SLACK, outcome: 'delivered' }), counter(3, 30)],
        [series('ide_bridge_notifications_total', { ...PAGERDUTY, outcome: 'retried' }), counter(1, 30)],
      ],
      alerts: [
        ...quiet('IdeBridgeDeliveryFailing', '12m'),
        {
          at: '20m',
          alert: 'IdeBridgeDeliveryFailing',
          expect: [fires('high', SLACK, 'Channel slack on dev:10451: 1 notifications failed or were dead-lettered in the last 15m.')],
        },
      ],
    },
    {
      name: 'Only retries, no failures',
      series: [[series('ide_bridge_notifications_total', { ...SLACK, outcome: 'retried' }), counter(2, 30)]],
      alerts: quiet('IdeBridgeDeliveryFailing', '20m'),
    },
    {
      // A large but steady backlog drains as fast as it fills: not growing.
      name: 'Outbox backlog growing by one a minute',
      series: [
        [series('ide_bridge_outbox_pending', PAGERDUTY), counter(1, 40)],
        [series('ide_bridge_outbox_pending', SLACK), constant(50, 40)],
      ],
      alerts: [
        ...quiet('IdeBridgeOutboxBacklogGrowing', '20m'),
        {
          at: '30m',
          alert: 'IdeBridgeOutboxBacklogGrowing',
          expect: [
            fires('medium', PAGERDUTY, '30 notifications for channel pagerduty on dev:10451 are waiting in the outbox and the backlog has been growing for more than 15m.'),
          ],
        },
      ],
    },
    {
      name: 'Outbox growing but still small',
      series: [[series('ide_bridge_outbox_pending', PAGERDUTY), '0+0.25x40']],
      alerts: quiet('IdeBridgeOutboxBacklogGrowing', '30m'),
    },
    {
      name: 'Proxy dropping an observation a minute',
      series: [[series('ide_lsp_proxy_observations_dropped_total', { server: 'tsserver' }), '0x5 1+1x25']],
      alerts: [
        ...quiet('IdeLspProxyDroppingObservations', '10m'),
        {
          at: '20m',
          alert: 'IdeLspProxyDroppingObservations',
          expect: [
            fires('low', { server: 'tsserver' }, 'The proxy of tsserver reporting to dev:10451 dropped 15 observations in the last 15m; LSP metrics undercount.'),
          ],
        },
      ],
    },
    {
      name: 'Proxy that stopped dropping',
      series: [[series('ide_lsp_proxy_observations_dropped_total', { server: 'tsserver' }), '0 1 2 3x40']],
      alerts: quiet('IdeLspProxyDroppingObservations', '30m'),
    },
  ],
};
