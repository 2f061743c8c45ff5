import type { RunningProcess } from './process.mjs';

export interface AlertmanagerOptions {
  readonly binary: string;
  /**
   * The whole configuration (or a function of the throw-away directory, for a config that points at files
   * it writes there), for a routing tree of the caller's own; the options below are then ignored.
   */
  readonly config?: object | ((dir: string) => object);
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

export interface AlertmanagerCluster {
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

export interface AmSilence {
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
  readonly process: RunningProcess;
  /** POST /api/v2/alerts. */
  readonly postAlerts: (alerts: readonly PostedAlert[]) => Promise<void>;
  readonly silences: () => Promise<AmSilence[]>;
  readonly output: () => string;
  readonly stop: () => Promise<void>;
}

/**
 * A real Alertmanager on 127.0.0.1 with a throw-away config and storage directory, clustering off
 * (`--cluster.listen-address=` empty) unless `cluster` is given, and short group timings so callers see
 * notifications within seconds.
 */
export function startAlertmanager(options: AlertmanagerOptions): Promise<RunningAlertmanager>;
