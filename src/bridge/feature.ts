import path from 'node:path';
import type { ActiveAlertsView, ActiveAlertSummary, FeatureContext, ServeFeature } from '../commands/serve-features.js';
import { BRIDGE_CHANNELS, type BridgeChannel, type BridgeConfig } from '../config/sections/bridge.js';
import type { ServerExtension } from '../exporter/server.js';
import type { Logger } from '../log.js';
import { actionHandler } from './action-handler.js';
import { ActionRunner } from './actions/runner.js';
import { AlertStore } from './alert-store.js';
import { mountAlertsApi } from './alerts-api.js';
import { isHttpUrl } from './channels/format.js';
import type { Notifier } from './channels/notifier.js';
import { PagerDutyNotifier } from './channels/pagerduty.js';
import { SlackNotifier } from './channels/slack.js';
import { WebhookNotifier } from './channels/webhook.js';
import { openDatabase, type Db } from './db.js';
import { Dispatcher, type ChannelHandler } from './dispatcher.js';
import { Intake } from './intake.js';
import { BridgeMetrics } from './metrics.js';
import { Outbox, OUTBOX_CHANNELS } from './outbox.js';
import { compileRoutes, type Route } from './routing.js';
import { resolveSecret } from '../config/secret-file.js';
import { mountWebhook, WEBHOOK_PATH } from './webhook.js';

const PRUNE_EVERY_MS = 3_600_000;

export type BridgeFeature = ServeFeature & ActiveAlertsView;

/**
 * The alert bridge inside `serve`: webhook → outbox → channels and actions, plus the alert API. The
 * database opens here (a broken data dir fails `serve` at startup, not the first alert).
 */
export async function createBridgeFeature(ctx: FeatureContext): Promise<BridgeFeature> {
  const config = ctx.config.bridge;
  const logger = ctx.logger.child({ component: 'bridge' });
  const token = resolveSecret('bridge.webhook.token', config.webhook.token, config.webhook.token_file);
  const notifiers = createNotifiers(config);
  const routes = compileRoutes(config.routes);
  warnAboutUnusableRoutes(routes, new Set(notifiers.map((n) => n.channel)), config, logger);

  const db: Db = openDatabase(path.resolve(config.data_dir));
  let open = true;
  const outbox = new Outbox(db);
  const alerts = new AlertStore(db);
  const metrics = new BridgeMetrics(ctx.registry, () => (open ? outbox : undefined), OUTBOX_CHANNELS.filter((c) => c === 'action' || notifiers.some((n) => n.channel === c)));

  const { requeued, interruptedActions } = outbox.reclaim();
  for (const item of interruptedActions) alerts.audit('action_interrupted', undefined, { delivery: item.id, key: item.dedupKey, reason: 'the bridge stopped while the action ran; not run again' });
  if (requeued > 0 || interruptedActions.length > 0) logger.warn({ requeued, interrupted_actions: interruptedActions.length }, 'reclaimed deliveries left in flight by the previous run');

  const runner = new ActionRunner({ definitions: config.actions.definitions, dryRun: config.actions.dry_run, maxConcurrent: config.actions.max_concurrent, logger });
  const handlers: ChannelHandler[] = notifiers.map((notifier) => ({
    channel: notifier.channel,
    concurrency: notifier.channel === 'slack' ? 1 : (config.channels[notifier.channel] as { concurrency?: number }).concurrency ?? 1,
    minIntervalMs: notifier.channel === 'slack' ? Math.round(1000 / config.channels.slack.messages_per_second) : 0,
    oneShot: false,
    deliver: (item) => notifier.notify(item.body, item.dedupKey),
  }));
  handlers.push(actionHandler(runner, config.actions.definitions, alerts, metrics, config.actions.max_concurrent));
  const dispatcher = new Dispatcher(handlers, {
    outbox,
    alerts,
    metrics,
    logger,
    policy: {
      initialBackoffMs: config.retry.initial_backoff,
      maxBackoffMs: config.retry.max_backoff,
      maxAttempts: config.retry.max_attempts,
      maxAgeMs: config.retry.max_age,
    },
  });
  const intake = new Intake(db, alerts, outbox, {
    routes,
    channels: new Set(notifiers.map((n) => n.channel)),
    sendResolved: { slack: config.channels.slack.send_resolved, pagerduty: config.channels.pagerduty.send_resolved, webhook: config.channels.webhook.send_resolved },
    applicableActions: (alert) => runner.applicable(alert),
  });

  let accepting = true;
  let pruneTimer: NodeJS.Timeout | undefined;
  const prune = () => {
    try {
      const before = Date.now() - config.retention;
      outbox.prune(before);
      alerts.prune(before);
    } catch (error) {
      logger.warn({ err: error }, 'cannot prune old bridge records');
    }
  };
  const auth = { token, tokenSetting: 'bridge.webhook.token (IDE_MONITOR_WEBHOOK_TOKEN)' };
  const extension: ServerExtension = {
    name: 'bridge',
    links: [{ href: 'api/v1/alerts', title: 'Active alerts (bridge API)' }],
    mountApi(app) {
      mountWebhook(app, { auth, maxBody: config.webhook.max_body, intake, metrics, logger, accepting: () => accepting, enqueued: (channels) => dispatcher.wake(channels) });
      mountAlertsApi(app, { auth, alerts, alertmanagerUrl: config.alertmanager.url, logger });
    },
  };

  logger.info(
    {
      data_dir: path.resolve(config.data_dir),
      channels: notifiers.map((n) => n.channel).join(',') || 'none',
      actions: config.actions.definitions.length,
      routes: config.routes.length === 0 ? 'default' : config.routes.length,
      auth: token === undefined ? 'loopback only' : 'bearer token',
    },
    `alert bridge ready; Alertmanager webhook at ${WEBHOOK_PATH}`,
  );

  return {
    extension,
    async start() {
      dispatcher.start();
      prune();
      pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
      pruneTimer.unref();
    },
    async stop() {
      accepting = false;
      clearInterval(pruneTimer);
      const drained = await dispatcher.stop(config.shutdown_grace);
      if (!drained) logger.warn({ in_flight: dispatcher.inFlight() }, 'deliveries still in flight at shutdown; they are reclaimed at the next start');
      await runner.close();
      for (const notifier of notifiers) notifier.close?.();
      open = false;
      db.close();
    },
    active(): readonly ActiveAlertSummary[] {
      if (!open) return [];
      return alerts.firing().map((a) => ({
        fingerprint: a.fingerprint,
        alertname: a.alertname,
        severity: a.severity,
        summary: a.annotations['summary'] ?? '',
        startsAt: a.startsAt,
        labels: a.labels,
      }));
    },
  };
}

function createNotifiers(config: BridgeConfig): Notifier[] {
  const { slack, pagerduty, webhook } = config.channels;
  const notifiers: Notifier[] = [];
  const slackUrl = resolveSecret('bridge.channels.slack.webhook_url', slack.webhook_url, slack.webhook_url_file);
  if (slackUrl !== undefined) notifiers.push(new SlackNotifier(requireUrl('Slack webhook URL', slackUrl), slack.timeout));
  const routingKey = resolveSecret('bridge.channels.pagerduty.routing_key', pagerduty.routing_key, pagerduty.routing_key_file);
  if (routingKey !== undefined) notifiers.push(new PagerDutyNotifier(pagerduty.events_url, routingKey, pagerduty.timeout));
  const webhookUrl = resolveSecret('bridge.channels.webhook.url', webhook.url, webhook.url_file);
  const bearer = resolveSecret('bridge.channels.webhook.bearer_token', webhook.bearer_token, webhook.bearer_token_file);
  if (webhookUrl !== undefined) notifiers.push(new WebhookNotifier(requireUrl('outgoing webhook URL', webhookUrl), bearer, webhook.timeout));
  return notifiers;
}

/** A URL read from a `*_file` did not pass the schema's URL check; never echo it (it is a secret). */
function requireUrl(what: string, value: string): string {
  if (!isHttpUrl(value)) throw new Error(`the ${what} must be an http:// or https:// URL (value not shown: it is a secret)`);
  return value;
}

/** Routes may name channels that have no endpoint: those are skipped, and said once, here. */
function warnAboutUnusableRoutes(routes: readonly Route[], configured: ReadonlySet<BridgeChannel>, config: BridgeConfig, logger: Logger): void {
  const named = new Set(routes.flatMap((r) => r.channels));
  const how: Record<BridgeChannel, string> = {
    slack: 'bridge.channels.slack.webhook_url or IDE_MONITOR_SLACK_WEBHOOK_URL',
    pagerduty: 'bridge.channels.pagerduty.routing_key or IDE_MONITOR_PAGERDUTY_ROUTING_KEY',
    webhook: 'bridge.channels.webhook.url or IDE_MONITOR_OUTGOING_WEBHOOK_URL',
  };
  for (const channel of BRIDGE_CHANNELS) {
    if (named.has(channel) && !configured.has(channel)) logger.warn({ channel }, `channel ${channel} is routed to but not configured; set ${how[channel]}. Its notifications are skipped`);
  }
  if (routes.some((r) => r.actions) && config.actions.definitions.length === 0) logger.info('routes allow actions but none are configured (bridge.actions.definitions)');
}
