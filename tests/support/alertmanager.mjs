// A real Alertmanager (alone or in a loopback cluster) for the tests, bench/ and soak/ (plain JS; types in
// alertmanager.d.mts).
import path from 'node:path';
import { startBinaryServer } from './binary-server.mjs';

/** Alertmanager's command line for a throw-away instance: loopback, clustering off, quiet. */
function alertmanagerArgs({ dir, configFile, port, url }) {
  return [
    `--config.file=${configFile}`,
    `--storage.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--web.external-url=${url}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ];
}

/** One receiver `bridge` with the webhook and Slack integrations the options ask for, short group timings. */
function generatedConfig(options) {
  const receiver = { name: 'bridge' };
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
  return {
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
}

/**
 * A real Alertmanager on 127.0.0.1 with a throw-away config and storage directory, clustering off
 * (`--cluster.listen-address=` empty) unless `cluster` is given, and short group timings so callers see
 * notifications within seconds.
 */
export async function startAlertmanager(options) {
  const cluster = options.cluster;
  const server = await startBinaryServer({
    name: 'Alertmanager',
    binary: options.binary,
    dirPrefix: 'ide-monitor-am-',
    configName: 'alertmanager.yml',
    config: options.config ?? generatedConfig(options),
    args:
      cluster === undefined
        ? alertmanagerArgs
        : (place) => [...alertmanagerArgs(place).filter((a) => a !== '--cluster.listen-address='), ...clusterArgs(cluster)],
  });
  const { url } = server;
  return {
    url,
    configFile: server.configFile,
    process: server.process,
    output: server.output,
    stop: server.stop,
    async postAlerts(alerts) {
      const response = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(alerts) });
      if (!response.ok) throw new Error(`Alertmanager refused the alerts: ${response.status} ${await response.text()}`);
    },
    async silences() {
      const response = await fetch(`${url}/api/v2/silences`);
      if (!response.ok) throw new Error(`cannot list silences: ${response.status}`);
      return await response.json();
    },
  };
}

/** Gossip on loopback, with timings short enough for a test (settling and peer waits in seconds, not a minute). */
function clusterArgs(cluster) {
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
