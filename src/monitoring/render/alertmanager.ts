import type { MonitoringConfig } from '../config.js';
import type { RuleArea } from '../rules/model.js';
import { SEVERITIES, type Severity } from '../thresholds.js';
import { yaml } from './yaml.js';

export const ALERTMANAGER_CONFIG = 'alertmanager/alertmanager.yml';
const RECEIVER = 'ide-monitor';

interface Timing {
  readonly group_wait: string;
  readonly group_interval: string;
  readonly repeat_interval: string;
}

/**
 * How fast each severity reaches the bridge. A critical alert should page within seconds; a low one is a
 * trend that can wait for its batch. The bridge drops repeats (fingerprint + status + startsAt), so
 * `repeat_interval` only matters as a safety net for a notification that never arrived; it grows with
 * the severity's patience. Typed by `Severity`, so a new severity in thresholds.ts cannot be forgotten here.
 */
export const SEVERITY_TIMING: Readonly<Record<Severity, Timing>> = {
  critical: { group_wait: '10s', group_interval: '1m', repeat_interval: '1h' },
  high: { group_wait: '30s', group_interval: '5m', repeat_interval: '4h' },
  medium: { group_wait: '1m', group_interval: '10m', repeat_interval: '12h' },
  low: { group_wait: '5m', group_interval: '30m', repeat_interval: '24h' },
};

/** An alert without a known severity (someone else's rule) is treated like `high`: visible, not paging. */
const FALLBACK_TIMING = SEVERITY_TIMING.high;

/**
 * The labels that tell two alerts of one name apart: every `$labels.X` the generated descriptions name
 * (instance, mountpoint, server, method, …), plus alertname and job. Inhibition requires them equal, so a
 * critical "disk full" on / never silences a high one on /home, nor one cluster's alert another's. A label missing on both sides counts as
 * equal in Alertmanager, so one list serves every alert.
 */
export function identityLabels(areas: readonly RuleArea[], clusterLabel: string): string[] {
  const labels = new Set<string>([clusterLabel, 'job', 'instance']);
  for (const area of areas) {
    for (const { rule } of area.alerts) {
      for (const match of rule.annotations.description.matchAll(/\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)/g)) labels.add(match[1]!);
    }
  }
  return ['alertname', ...[...labels].sort()];
}

/**
 * Severities come from thresholds.ts in falling order; each inhibits every lower one of the same alert
 * (critical → high, medium, low; high → medium, low; …), as the multi-level alerts expect.
 */
function inhibitRules(equal: readonly string[]): object[] {
  return SEVERITIES.slice(0, -1).map((severity, i) => ({
    source_matchers: [`severity="${severity}"`],
    target_matchers: [`severity=~"${SEVERITIES.slice(i + 1).join('|')}"`],
    equal,
  }));
}

/**
 * Alertmanager for the compose stack: one receiver, the bridge's webhook, which fans out to Slack, PagerDuty
 * and actions by severity itself; the route tree only sets the timing per severity. The bearer token is
 * read from a file (Alertmanager does not expand environment variables in its configuration).
 */
export function renderAlertmanagerConfig(config: MonitoringConfig, areas: readonly RuleArea[]): string {
  const am = config.alertmanager;
  return yaml({
    global: { resolve_timeout: '5m' },
    route: {
      receiver: RECEIVER,
      group_by: am.groupBy,
      ...FALLBACK_TIMING,
      routes: SEVERITIES.map((severity) => ({ matchers: [`severity="${severity}"`], receiver: RECEIVER, ...SEVERITY_TIMING[severity] })),
    },
    inhibit_rules: inhibitRules(identityLabels(areas, config.clusterLabel)),
    receivers: [
      {
        name: RECEIVER,
        webhook_configs: [
          {
            url: am.webhookUrl,
            send_resolved: true,
            // 0 = all alerts of a group in one request; the bridge stores them in one transaction.
            max_alerts: 0,
            http_config: { authorization: { type: 'Bearer', credentials_file: am.credentialsFile } },
          },
        ],
      },
    ],
  });
}
