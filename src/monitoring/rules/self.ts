import { num } from '../promql.js';
import { defineAlert, forText, type RuleArea, type RuleContext } from './model.js';

const atLeast = (value: number) => (value === 0 ? 'any' : `more than ${num(value)}`);

/** The monitoring pipeline watching itself: exporter, collectors, alert bridge, LSP proxy reporting. */
export function selfRules(ctx: RuleContext): RuleArea {
  const { m } = ctx;
  const t = ctx.config.thresholds;
  return {
    file: 'self',
    title: 'Self-monitoring',
    recording: [],
    alerts: [
      ...defineAlert(ctx, {
        name: 'IdeExporterDown',
        dashboard: 'overview',
        panel: 'Exporter up',
        levels: t.exporterDown.levels,
        summary: 'Prometheus cannot scrape the ide-monitor exporter.',
        expr: () => `${m('up')} == 0`,
        description: (l) =>
          `Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for more than ${forText(l)}; every other ide-monitor alert for it is blind.`,
        condition: () => 'up == 0',
      }),
      ...defineAlert(ctx, {
        name: 'IdeExporterTargetMissing',
        dashboard: 'overview',
        panel: 'Exporter up',
        levels: t.exporterTargetMissing.levels,
        summary: 'Prometheus has no ide-monitor target to scrape.',
        // `up == 0` needs a target. One dropped by service discovery (a DaemonSet pod gone, a relabelling
        // mistake) has no `up` at all: it is missed for `window` after its last scrape, and `absent` covers
        // a job that has no target left (kubernetes-mixin's absent(up{job=…} == 1) alerts).
        expr: () => `
          (
            max_over_time(${m('up')}[${t.exporterTargetMissing.window}]) unless ${m('up')}
          )
          or
            absent(${m('up')})`,
        description: (l) =>
          `Target {{ with $labels.instance }}{{ . }}{{ else }}(none){{ end }} of job {{ $labels.job }} has had no scrape for more than ${forText(l)}; every ide-monitor alert for it is blind.`,
        condition: () => `a target scraped within ${t.exporterTargetMissing.window} has no \`up\` series now, or the job has no target at all`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeExporterCollectorFailing',
        dashboard: 'overview',
        panel: 'Collectors failing',
        levels: t.exporterCollectorFailing.levels,
        summary: 'An exporter collector keeps failing.',
        expr: () => `${m('ide_exporter_collector_success')} == 0`,
        description: (l) =>
          `Collector {{ $labels.collector }} on {{ $labels.instance }} has failed or timed out on every scrape for more than ${forText(l)}; its metrics are missing.`,
        condition: () => 'ide_exporter_collector_success == 0',
      }),
      ...defineAlert(ctx, {
        name: 'IdeBridgeDeliveryFailing',
        dashboard: 'alerts',
        panel: 'Notifications by channel and outcome',
        levels: t.bridgeDeliveryFailing.levels,
        summary: 'The alert bridge fails to deliver notifications.',
        expr: (l) =>
          `sum without (outcome) (increase(${m('ide_bridge_notifications_total', 'outcome=~"failed|dead_lettered"')}[${t.bridgeDeliveryFailing.window}])) > ${num(l.value)}`,
        description: () =>
          `Channel {{ $labels.channel }} on {{ $labels.instance }}: {{ printf "%.0f" $value }} notifications failed or were dead-lettered in the last ${t.bridgeDeliveryFailing.window}.`,
        condition: (l) => `${atLeast(l.value)} failed or dead-lettered notifications per channel in ${t.bridgeDeliveryFailing.window}`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeBridgeOutboxBacklogGrowing',
        dashboard: 'alerts',
        panel: 'Outbox pending',
        levels: t.bridgeOutboxBacklogGrowing.levels,
        summary: 'The alert bridge outbox keeps growing.',
        expr: (l) => `
          (
            ${m('ide_bridge_outbox_pending')} > ${num(l.value)}
          and
            deriv(${m('ide_bridge_outbox_pending')}[${t.bridgeOutboxBacklogGrowing.window}]) > 0
          )`,
        description: (l) =>
          `{{ $value }} notifications for channel {{ $labels.channel }} on {{ $labels.instance }} are waiting in the outbox and the backlog has been growing for more than ${forText(l)}.`,
        condition: (l) => `more than ${num(l.value)} pending and growing over ${t.bridgeOutboxBacklogGrowing.window}`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeLspProxyDroppingObservations',
        dashboard: 'lsp',
        panel: 'Proxy observations dropped',
        levels: t.lspProxyDroppingObservations.levels,
        summary: 'The LSP proxy drops observations instead of reporting them.',
        expr: (l) => `increase(${m('ide_lsp_proxy_observations_dropped_total')}[${t.lspProxyDroppingObservations.window}]) > ${num(l.value)}`,
        description: () =>
          `The proxy of {{ $labels.server }} reporting to {{ $labels.instance }} dropped {{ printf "%.0f" $value }} observations in the last ${t.lspProxyDroppingObservations.window}; LSP metrics undercount.`,
        condition: (l) => `${atLeast(l.value)} observations dropped in ${t.lspProxyDroppingObservations.window}`,
      }),
    ],
  };
}
