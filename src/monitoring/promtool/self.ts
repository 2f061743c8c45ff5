import { constant, counter, fires, quiet, series, type TestFile } from './model.js';

const SLACK = { channel: 'slack' };
const missing = (target: string) => `Target ${target} of job ide-monitor has had no scrape for more than 10m; every ide-monitor alert for it is blind.`;
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
          expect: [
            fires('high', {}, 'Prometheus has failed to scrape dev:10451 (job ide-monitor) for more than 5m; every other ide-monitor alert for it is blind.'),
          ],
        },
      ],
    },
    {
      // Defect: a target that service discovery dropped has no `up` at all, so `up == 0` never fired.
      // The series ends after 10 minutes (a pod deleted, a relabelling mistake); another target stays.
      name: 'A target that disappeared is missed for an hour',
      series: [
        [series('up'), constant(1, 10)],
        [series('up', { instance: 'dev2:10451' }), constant(1, 90)],
      ],
      alerts: [
        ...quiet('IdeExporterTargetMissing', '10m', '20m'),
        { at: '30m', alert: 'IdeExporterTargetMissing', expect: [fires('high', {}, missing('dev:10451'))] },
        // An hour after its last scrape it is forgotten: a target removed on purpose does not alert forever.
        ...quiet('IdeExporterTargetMissing', '80m'),
      ],
    },
    {
      // Only another job is scraped: ide-monitor has no target at all.
      name: 'A job without any target is missing',
      series: [['up{job="node", instance="dev:9100"}', constant(1, 30)]],
      alerts: [
        ...quiet('IdeExporterTargetMissing', '5m'),
        { at: '20m', alert: 'IdeExporterTargetMissing', expect: [{ severity: 'high', labels: { job: 'ide-monitor' }, description: missing('(none)') }] },
      ],
    },
    {
      name: 'A target that is scraped, even failing, is not missing',
      series: [[series('up'), '1x10 0x30']],
      alerts: quiet('IdeExporterTargetMissing', '30m'),
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
          expect: [
            fires(
              'medium',
              { collector: 'filesystem' },
              'Collector filesystem on dev:10451 has failed or timed out on every scrape for more than 10m; its metrics are missing.',
            ),
          ],
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
            fires(
              'medium',
              PAGERDUTY,
              '30 notifications for channel pagerduty on dev:10451 are waiting in the outbox and the backlog has been growing for more than 15m.',
            ),
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
            fires(
              'low',
              { server: 'tsserver' },
              'The proxy of tsserver reporting to dev:10451 dropped 15 observations in the last 15m; LSP metrics undercount.',
            ),
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
