import { existsSync, readFileSync } from 'node:fs';
import { parseSamples } from '../../support/exposition.js';
import { waitFor } from '../../support/ports.mjs';
import type { RunningPrometheus } from '../../support/prometheus.mjs';
import type { Sink, SinkRequest } from '../../support/sinks.mjs';
import type { RoutedAlertmanager } from './alertmanager.js';
import type { CompletionTraffic, MemoryGrower } from './conditions.js';

/** What the end-to-end test reads back from every part of the chain, and dumps when a step fails. */

export interface SlackBody {
  readonly text: string;
  readonly attachments: Array<{ color: string; fallback: string; blocks: unknown[] }>;
}

export interface PagerDutyBody {
  readonly routing_key: string;
  readonly event_action: 'trigger' | 'resolve';
  readonly dedup_key: string;
  readonly payload?: { summary: string; severity: string; class: string; custom_details: { fingerprint: string } };
}

/** An alert as Prometheus' rules API (`/api/v1/alerts`) lists it. */
export interface PromAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: 'pending' | 'firing';
  readonly activeAt: string;
  readonly value: string;
}

export async function prometheusAlerts(prometheus: RunningPrometheus): Promise<PromAlert[]> {
  const body = (await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as { data: { alerts: PromAlert[] } };
  return body.data.alerts;
}

/** The first accepted Slack message whose title is `[<state>…] <alertname> …`. */
export function slackMessage(slack: Sink, state: 'FIRING' | 'RESOLVED', alertname: string): (SinkRequest & { body: SlackBody }) | undefined {
  return slack.accepted().find((r) => {
    const text = (r.body as SlackBody).text;
    return text.startsWith(`[${state}`) && text.includes(`] ${alertname} `);
  }) as (SinkRequest & { body: SlackBody }) | undefined;
}

export function pagerDutyEvents(pd: Sink, dedupKey: string, action: 'trigger' | 'resolve'): Array<SinkRequest & { body: PagerDutyBody }> {
  return pd.accepted().filter((r) => {
    const body = r.body as PagerDutyBody;
    return body.dedup_key === dedupKey && body.event_action === action;
  }) as Array<SinkRequest & { body: PagerDutyBody }>;
}

/** The exec action's runs, one `<phase> <alertname> <fingerprint>` line each. */
export function actionRuns(file: string): string[] {
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
}

/** A sample from `<baseUrl>/metrics` (the exporter's, Alertmanager's), summed over the series matching `labels`; 0 when absent. */
export async function metricSum(baseUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const samples = parseSamples(await (await fetch(`${baseUrl}/metrics`)).text());
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

export interface Chain {
  readonly prometheus?: RunningPrometheus;
  readonly alertmanager?: RoutedAlertmanager;
  readonly exporterUrl?: string;
  readonly exporterLog?: () => string;
  readonly bridgeToken: string;
  readonly slack?: Sink;
  readonly pagerduty?: Sink;
  readonly traffic?: CompletionTraffic;
  readonly grower?: MemoryGrower;
  readonly runsFile: string;
  /** Recording rules whose current values explain why an alert is (not) firing. */
  readonly expressions: readonly string[];
}

const tail = (text: string, chars = 1500) => (text.length > chars ? `…${text.slice(-chars)}` : text);
const safely = async (what: () => Promise<string>) => what().catch((error: unknown) => `(unavailable: ${String(error)})`);

/** Everything each part of the chain saw, as text for a failure message. */
async function describeChain(chain: Chain): Promise<string> {
  const parts: string[] = [];
  const p = chain.prometheus;
  if (p !== undefined) {
    parts.push(
      `Prometheus alerts: ${await safely(async () => JSON.stringify((await prometheusAlerts(p)).map((a) => ({ alertname: a.labels['alertname'], state: a.state, activeAt: a.activeAt, value: a.value, server: a.labels['server'], group: a.labels['group'] }))))}`,
    );
    for (const expr of chain.expressions) {
      parts.push(`Prometheus ${expr} = ${await safely(async () => JSON.stringify((await p.query(expr)).map((s) => s.value[1])))}`);
    }
    parts.push(`Prometheus log: ${tail(p.output(), 600)}`);
  }
  const am = chain.alertmanager;
  if (am !== undefined) {
    parts.push(
      `Alertmanager alerts: ${await safely(async () => JSON.stringify((await am.alerts()).map((a) => ({ alertname: a.labels['alertname'], state: a.status.state, fingerprint: a.fingerprint }))))}`,
    );
    parts.push(
      `Alertmanager webhook notifications: ${await safely(async () => `${await am.metric('alertmanager_notifications_total', { integration: 'webhook' })} sent, ${await am.metric('alertmanager_notifications_failed_total', { integration: 'webhook' })} failed`)}`,
    );
    parts.push(`Alertmanager log: ${tail(am.output(), 600)}`);
  }
  if (chain.exporterUrl !== undefined) {
    const url = chain.exporterUrl;
    const headers = { Authorization: `Bearer ${chain.bridgeToken}` };
    parts.push(`bridge history: ${await safely(async () => tail(await (await fetch(`${url}/api/v1/alerts/history?limit=20`, { headers })).text()))}`);
    parts.push(`bridge action audit: ${await safely(async () => tail(await (await fetch(`${url}/api/v1/audit?kind=action`, { headers })).text()))}`);
  }
  if (chain.exporterLog !== undefined) parts.push(`exporter log: ${tail(chain.exporterLog())}`);
  const requests = (sink: Sink | undefined, show: (body: unknown) => string) =>
    sink === undefined ? '(not started)' : JSON.stringify(sink.requests.map((r) => `${new Date(r.at).toISOString()} ${r.status} ${show(r.body)}`));
  parts.push(`Slack sink: ${requests(chain.slack, (b) => (b as SlackBody | undefined)?.text ?? '?')}`);
  parts.push(
    `PagerDuty sink: ${requests(chain.pagerduty, (b) => {
      const e = b as PagerDutyBody | undefined;
      return `${e?.event_action} ${e?.dedup_key} ${e?.payload?.severity ?? ''} ${e?.payload?.class ?? ''}`;
    })}`,
  );
  parts.push(`action runs: ${JSON.stringify(actionRuns(chain.runsFile))}`);
  if (chain.traffic !== undefined) parts.push(`LSP client: ${JSON.stringify(chain.traffic.counts())}; proxy stderr: ${tail(chain.traffic.stderr(), 600)}`);
  if (chain.grower !== undefined) parts.push(`memory-grower: ${tail(chain.grower.output(), 400)}`);
  return parts.join('\n');
}

/**
 * A bounded wait for one step of the chain. On timeout the error names the step and carries everything
 * the chain saw, so a CI log shows where a notification stopped.
 */
export async function step(chain: Chain, name: string, probe: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  try {
    await waitFor(name, async () => probe(), timeoutMs, 200);
  } catch (error) {
    throw new Error(`step failed: ${(error as Error).message}\n--- what the chain saw ---\n${await describeChain(chain)}`, { cause: error });
  }
}
