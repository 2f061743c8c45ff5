import path from 'node:path';
import { startBinaryServer, type ServerPlace } from './binary-server.js';

export interface AlertmanagerOptions {
  readonly binary: string;
  /** The bridge's webhook URL (`…/api/v1/alertmanager/webhook`). */
  readonly webhookUrl?: string;
  /** More webhook URLs in the same receiver (bridge replicas): each gets every notification. */
  readonly extraWebhookUrls?: readonly string[];
  /** Gossip with peers on loopback (an Alertmanager cluster) instead of running alone. */
  readonly cluster?: AlertmanagerCluster;
  /** Sent as `Authorization: Bearer` through `http_config.authorization.credentials`. */
  readonly token?: string;
  /** Alertmanager's native Slack notifier, posting to this URL (for comparisons). */
  readonly slackUrl?: string;
  readonly groupBy?: readonly string[];
  readonly groupWait?: string;
  readonly groupInterval?: string;
  readonly repeatInterval?: string;
  readonly resolveTimeout?: string;
}

interface AlertmanagerCluster {
  /** This instance's gossip port on 127.0.0.1. */
  readonly port: number;
  /** The other members' gossip ports. */
  readonly peers: readonly number[];
  /** How long the n-th member waits for an earlier one's notification before sending its own (default 15s). */
  readonly peerTimeout?: string;
}

export interface PostedAlert {
  readonly labels: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly startsAt?: string;
  readonly endsAt?: string;
  readonly generatorURL?: string;
}

interface AmSilence {
  readonly id: string;
  readonly status: { state: string };
  readonly matchers: Array<{ name: string; value: string; isRegex: boolean; isEqual?: boolean }>;
  readonly createdBy: string;
  readonly comment: string;
  readonly startsAt: string;
  readonly endsAt: string;
}

export interface RunningAlertmanager {
  readonly url: string;
  readonly configFile: string;
  /** POST /api/v2/alerts. */
  postAlerts(alerts: readonly PostedAlert[]): Promise<void>;
  silences(): Promise<AmSilence[]>;
  output: () => string;
  stop: () => Promise<void>;
}

/** Alertmanager's command line for a throw-away test instance: loopback, clustering off, quiet. */
export function alertmanagerArgs({ dir, configFile, port, url }: ServerPlace): string[] {
  return [
    `--config.file=${configFile}`,
    `--storage.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--web.external-url=${url}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ];
}

/**
 * A real Alertmanager on 127.0.0.1 with a throw-away config and storage directory, clustering off
 * (`--cluster.listen-address=` empty) and short group timings so tests see notifications within seconds.
 */
export async function startAlertmanager(options: AlertmanagerOptions): Promise<RunningAlertmanager> {
  const receiver: Record<string, unknown> = { name: 'bridge' };
  if (options.webhookUrl !== undefined) {
    receiver['webhook_configs'] = [options.webhookUrl, ...(options.extraWebhookUrls ?? [])].map((url) => ({
      url,
      send_resolved: true,
      max_alerts: 0,
      ...(options.token !== undefined && { http_config: { authorization: { type: 'Bearer', credentials: options.token } } }),
    }));
  }
  if (options.slackUrl !== undefined) {
    receiver['slack_configs'] = [{ api_url: options.slackUrl, channel: '#alerts', send_resolved: true }];
  }
  const config = {
    global: { resolve_timeout: options.resolveTimeout ?? '5m' },
    route: {
      receiver: 'bridge',
      group_by: options.groupBy ?? ['alertname'],
      group_wait: options.groupWait ?? '1s',
      group_interval: options.groupInterval ?? '1s',
      repeat_interval: options.repeatInterval ?? '1h',
    },
    receivers: [receiver],
  };
  const server = await startBinaryServer({
    name: 'Alertmanager',
    binary: options.binary,
    dirPrefix: 'ide-monitor-am-',
    configName: 'alertmanager.yml',
    config,
    args: options.cluster === undefined ? alertmanagerArgs : (place) => [...alertmanagerArgs(place).filter((a) => a !== '--cluster.listen-address='), ...clusterArgs(options.cluster!)],
  });
  const { url } = server;
  return {
    url,
    configFile: server.configFile,
    output: server.output,
    stop: server.stop,
    async postAlerts(alerts) {
      const response = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(alerts) });
      if (!response.ok) throw new Error(`Alertmanager refused the alerts: ${response.status} ${await response.text()}`);
    },
    async silences() {
      const response = await fetch(`${url}/api/v2/silences`);
      if (!response.ok) throw new Error(`cannot list silences: ${response.status}`);
      return (await response.json()) as AmSilence[];
    },
  };
}

/** Gossip on loopback, with timings short enough for a test (settling and peer waits in seconds, not a minute). */
function clusterArgs(cluster: AlertmanagerCluster): string[] {
  return [
    `--cluster.listen-address=127.0.0.1:${cluster.port}`,
    `--cluster.advertise-address=127.0.0.1:${cluster.port}`,
    ...cluster.peers.map((port) => `--cluster.peer=127.0.0.1:${port}`),
    `--cluster.peer-timeout=${cluster.peerTimeout ?? '15s'}`,
    '--cluster.settle-timeout=2s',
    '--cluster.pushpull-interval=5s',
    '--cluster.reconnect-interval=1s',
  ];
}
