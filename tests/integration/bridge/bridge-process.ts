import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { startExporter, type RunningExporter } from '../../support/exporter.js';

export const TOKEN = 'am-bridge-token-0f3c9a';
export const ROUTING_KEY = 'R0UT1NGKEYFORTESTS0000000000000a';

export interface BridgeOptions {
  readonly port: number;
  readonly dataDir: string;
  readonly slackUrl?: string;
  readonly pagerdutyUrl?: string;
  readonly alertmanagerUrl?: string;
  /** Extra `bridge:` YAML settings (retry timings, Slack pace). */
  readonly bridge?: Record<string, unknown>;
}

/**
 * The real `ide-monitor serve` with the bridge on a fixed port (so Alertmanager's webhook URL stays valid
 * across a restart); endpoints and secrets come from the environment, timings from a YAML file.
 */
export async function startBridge(options: BridgeOptions): Promise<RunningExporter> {
  const configDir = mkdtempSync(path.join(tmpdir(), 'bridge-config-'));
  const configFile = path.join(configDir, 'ide-monitor.yml');
  writeFileSync(configFile, dump({ bridge: { retry: { initial_backoff: '200ms', max_backoff: '2s' }, ...options.bridge } }));
  const env: NodeJS.ProcessEnv = {
    IDE_MONITOR_WEBHOOK_TOKEN: TOKEN,
    IDE_MONITOR_DATA_DIR: options.dataDir,
    ...(options.slackUrl !== undefined && { IDE_MONITOR_SLACK_WEBHOOK_URL: options.slackUrl }),
    ...(options.pagerdutyUrl !== undefined && { IDE_MONITOR_PAGERDUTY_ROUTING_KEY: ROUTING_KEY, IDE_MONITOR_PAGERDUTY_EVENTS_URL: options.pagerdutyUrl }),
    ...(options.alertmanagerUrl !== undefined && { IDE_MONITOR_ALERTMANAGER_URL: options.alertmanagerUrl }),
  };
  try {
    const exporter = await startExporter({ port: options.port, args: [`--config.file=${configFile}`, '--no-collector.hostinfo', '--log.level=debug'], env });
    return {
      ...exporter,
      stop: async () => {
        const code = await exporter.stop();
        rmSync(configDir, { recursive: true, force: true });
        return code;
      },
    };
  } catch (error) {
    rmSync(configDir, { recursive: true, force: true });
    throw error;
  }
}

export const webhookUrl = (port: number) => `http://127.0.0.1:${port}/api/v1/alertmanager/webhook`;

/** One alert as GET /api/v1/alerts lists it: the fields these tests read. */
interface ApiAlert {
  fingerprint: string;
  alertname: string;
  status: string;
  annotations: { description: string } & Record<string, string>;
  deliveries: Array<{ channel: string; state: string; attempts: number; lastError: string | null }>;
  ack?: unknown;
  resolution?: string;
}

/**
 * What the bridge API answers, read loosely: each endpoint fills the fields it has (alerts, events, audit
 * entries, an ack's silence, an error), so a test reads the one its request returns.
 */
export interface ApiBody {
  alerts: ApiAlert[];
  events: Array<{ alertname: string; status: string; fingerprint: string }>;
  entries: Array<{ kind: string; fingerprint: string; detail: { matchers: Array<{ name: string; value: string }> } & Record<string, unknown> }>;
  silenceID: string;
  error: string;
}

export async function api(url: string, init: RequestInit = {}): Promise<{ status: number; body: ApiBody }> {
  const response = await fetch(url, { ...init, headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...init.headers } });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  // Not checked: a test asserts the fields it reads (and a missing one fails that assertion).
  return { status: response.status, body: body as ApiBody };
}
