import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startAlertmanager } from '../../support/alertmanager.mjs';
import { metricSum } from './observe.js';

/** An alert as Alertmanager's v2 API lists it. */
export interface AmAlert {
  readonly fingerprint: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly status: { readonly state: string };
}

export interface RoutedAlertmanager {
  readonly url: string;
  /** `host:port`, for Prometheus' `alerting.alertmanagers`. */
  readonly target: string;
  /** GET /api/v2/alerts (active, silenced and inhibited alike). */
  alerts(): Promise<AmAlert[]>;
  /** A sample of Alertmanager's own /metrics, summed over the matching series (0 when absent). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  output(): string;
  stop(): Promise<void>;
}

export interface RoutedAlertmanagerOptions {
  readonly binary: string;
  /** The bridge's `…/api/v1/alertmanager/webhook`. */
  readonly webhookUrl: string;
  /** Written to a file that the webhook's `http_config.authorization.credentials_file` names, as in production. */
  readonly token: string;
  /** Only these alerts go to the bridge; everything else the rules raise goes to a receiver without integrations. */
  readonly alertnames: readonly string[];
}

/**
 * A real Alertmanager on 127.0.0.1 configured the way docs/bridge.md tells users to: a webhook receiver
 * with `send_resolved: true` and a bearer token read from a credentials file. Timings are the shortest
 * Alertmanager accepts for a test (group_wait and group_interval 1 s).
 *
 * Only the alerts the test drives are routed to the bridge. The test profile cuts every `for` to 5 s, so
 * on a busy shared machine host alerts (load, CPU) fire too; sending them on would put unrelated
 * messages into the Slack channel's one-per-second pace and blur the latency the test measures.
 */
export async function startRoutedAlertmanager(options: RoutedAlertmanagerOptions): Promise<RoutedAlertmanager> {
  const config = (dir: string) => {
    const tokenFile = path.join(dir, 'webhook-token');
    writeFileSync(tokenFile, options.token, { mode: 0o600 });
    return {
      route: {
        receiver: 'discard',
        group_by: ['alertname'],
        group_wait: '1s',
        group_interval: '1s',
        repeat_interval: '1h',
        routes: [{ receiver: 'ide-monitor', matchers: [`alertname=~"${options.alertnames.join('|')}"`] }],
      },
      receivers: [
        { name: 'discard' },
        {
          name: 'ide-monitor',
          webhook_configs: [{ url: options.webhookUrl, send_resolved: true, http_config: { authorization: { type: 'Bearer', credentials_file: tokenFile } } }],
        },
      ],
    };
  };
  const server = await startAlertmanager({ binary: options.binary, config });
  const { url, stop } = server;
  const target = url.replace(/^http:\/\//, '');
  return {
    url,
    target,
    output: server.output,
    stop,
    async alerts() {
      const response = await fetch(`${url}/api/v2/alerts`);
      if (!response.ok) throw new Error(`GET /api/v2/alerts: ${response.status} ${await response.text()}`);
      return (await response.json()) as AmAlert[];
    },
    metric: (name, labels = {}) => metricSum(url, name, labels),
  };
}
