import type { Registry } from 'prom-client';
import { accessOf } from '../access/create.js';
import type { ActiveAlertsView, ActiveAlertSummary, FeatureContext, ServeFeature } from '../serve/feature.js';
import type { BridgeConfig } from '../config/sections/bridge.js';
import { resolveSecret } from '../config/secret-file.js';
import type { ServerExtension } from '../exporter/server.js';
import type { Logger } from '../log.js';
import { actionHandler } from './action-handler.js';
import { ActionRunner } from './actions/runner.js';
import { AlertmanagerClient } from './alertmanager-client.js';
import { mountAlertsApi } from './alerts-api.js';
import { channelNamed, CHANNELS } from './channels/registry.js';
import { formsOf } from './channel-forms.js';
import type { Notifier } from './channels/notifier.js';
import { Dispatcher, type ChannelHandler } from './dispatcher.js';
import { Escalator } from './escalator.js';
import { Intake, type IntakeChannel } from './intake.js';
import { BridgeMetrics } from './metrics.js';
import { parseNotification } from './notification.js';
import { Reconciler } from './reconciler.js';
import { Reminders } from './reminders.js';
import { compileRoutes, type Route } from './routing.js';
import { openStore } from './store/open.js';
import type { BridgeStore, OutboxItem } from './store/types.js';
import { mountWebhook, WEBHOOK_PATH } from './webhook.js';
import type { ActionAlert } from './actions/model.js';
import type { WriteAuth } from '../http/request-guards.js';
import { unappliedChanges } from '../serve/unapplied.js';

const PRUNE_EVERY_MS = 3_600_000;
/** 200 when the store answers, 503 when not. */
export const READY_PATH = '/api/v1/bridge/ready';
/** How often the status page's alert summary is refreshed from the store. */
const SUMMARY_EVERY_MS = 2000;
const SUMMARY_ITEMS = 10;

export type BridgeFeature = ServeFeature & ActiveAlertsView;

interface ConfiguredChannel extends IntakeChannel {
  readonly notifier: Notifier;
}

/**
 * The alert bridge inside `serve`: webhook → store (outbox) → channels and actions, plus the alert API,
 * the reconciler and the escalator. The store opens here (a broken data dir or an unreachable database
 * fails `serve` at startup, not the first alert).
 */
export async function createBridgeFeature(ctx: FeatureContext): Promise<BridgeFeature> {
  const config = ctx.config.bridge;
  const logger = ctx.logger.child({ component: 'bridge' });
  const tokenOf = (bridge: BridgeConfig) => resolveSecret('bridge.webhook.token', bridge.webhook.token, bridge.webhook.token_file);
  // Routes, channels, actions and the webhook token are replaced by a reload (see `reload` below); every
  // reader (intake, escalator, reminders, alert API, dispatcher) reads them through these variables.
  let applied = config;
  let channels = createChannels(config, logger, ctx.registry);
  /** Each channel's settings with the files they name, as its notifier was made from them. */
  let channelForms = formsOf(config);
  let routes = compileRoutes(config.routes);
  warnAboutUnusableRoutes(routes, channels, config, logger);
  const routing = <T extends object>(deps: T): T & { readonly routes: readonly Route[]; readonly channels: ReadonlyMap<string, ConfiguredChannel> } =>
    Object.defineProperties(deps, { routes: { get: () => routes, enumerable: true }, channels: { get: () => channels, enumerable: true } }) as T & {
      readonly routes: readonly Route[];
      readonly channels: ReadonlyMap<string, ConfiguredChannel>;
    };

  const store: BridgeStore = await openStore(config, logger);
  let open = true;
  const metrics = new BridgeMetrics(ctx.registry, () => (open ? store : undefined), [...channels.keys(), 'action']);

  /** Takes back claims left by a run that stopped (all of them, or those whose lease ran out); true when any were. */
  const reclaim = async (all: boolean, by: string): Promise<boolean> => {
    const { requeued, interruptedActions } = await store.reclaim(all);
    for (const item of interruptedActions)
      await store.audit('action_interrupted', undefined, {
        delivery: item.id,
        key: item.dedupKey,
        reason: `${by} stopped while the action ran; not run again`,
      });
    if (requeued > 0 || interruptedActions.length > 0)
      logger.warn({ requeued, interrupted_actions: interruptedActions.length }, `reclaimed deliveries left in flight by ${by}`);
    return requeued > 0;
  };
  // A single-process store takes back every claim at start; shared ones only claims whose lease ran out.
  await reclaim(store.kind === 'sqlite', 'a previous run');

  const createRunner = (bridge: BridgeConfig) =>
    new ActionRunner({
      definitions: bridge.actions.definitions,
      dryRun: bridge.actions.dry_run,
      maxConcurrent: bridge.actions.max_concurrent,
      logger,
      ...(ctx.lspControl !== undefined && { lspControl: ctx.lspControl }),
    });
  let runner = createRunner(config);
  const handlersOf = (bridge: BridgeConfig): ChannelHandler[] => [
    ...[...channels].map(([name, channel]) => ({
      channel: name,
      ...channel.definition.pacing(bridge.channels[name]!),
      oneShot: false,
      deliver: (item: OutboxItem) => channel.notifier.notify(parseNotification(item.body, channel.definition.unit), item.dedupKey),
    })),
    actionHandler(runner, bridge.actions.definitions, store, metrics, bridge.actions.max_concurrent),
  ];
  // A claim must outlive the slowest delivery, or a live replica's work would be taken over (the lease is
  // set here, at start: a reload with slower actions is told to restart, see `reload`).
  const slowestOf = (bridge: BridgeConfig) => Math.max(0, ...bridge.actions.definitions.map((d) => d.timeout + 5000));
  const leaseMs = Math.max(config.database.lease, slowestOf(config));
  const dispatcher = new Dispatcher(handlersOf(config), {
    store,
    metrics,
    logger,
    leaseMs,
    policy: {
      initialBackoffMs: config.retry.initial_backoff,
      maxBackoffMs: config.retry.max_backoff,
      maxAttempts: config.retry.max_attempts,
      maxAgeMs: config.retry.max_age,
    },
  });
  const wake = (names: Iterable<string>) => dispatcher.wake(names);
  const intake = new Intake(store, routing({ applicableActions: (alert: ActionAlert) => runner.applicable(alert) }));

  const alertmanagerUrls = [...(config.alertmanager.url === undefined ? [] : [config.alertmanager.url]), ...config.alertmanager.peers];
  const alertmanagers = alertmanagerUrls.map((url) => new AlertmanagerClient(url, config.alertmanager.timeout));
  const reconciler =
    alertmanagers.length === 0
      ? undefined
      : new Reconciler({ store, alertmanagers, intake, graceMs: config.alertmanager.reconcile_grace, metrics, logger, wake });
  const escalator = new Escalator(routing({ store, metrics, logger, wake }));
  const { repeat_interval: repeatInterval } = config.reminders;
  const reminders =
    repeatInterval === undefined
      ? undefined
      : new Reminders(
          routing({ store, intervalMs: repeatInterval, severities: config.reminders.severities, remindOn: config.reminders.channels, logger, wake }),
        );

  let summary: ReturnType<BridgeFeature['summary']> = { counts: {}, items: [] };
  const refreshSummary = async () => {
    const latest = await store.firingSummary(SUMMARY_ITEMS);
    const items: ActiveAlertSummary[] = latest.items.map(({ acknowledged, ...rest }) => ({ ...rest, ...(acknowledged !== null && { acknowledged }) }));
    summary = { counts: latest.counts, items };
  };

  let accepting = true;
  const timers: NodeJS.Timeout[] = [];
  /** Runs `task` every `ms` (unref'd), one run at a time, logging failures once per run. */
  const every = (ms: number, what: string, task: () => Promise<unknown>) => {
    let running = false;
    const tick = async () => {
      if (running || !open) return;
      running = true;
      try {
        await task();
      } catch (error) {
        logger.warn({ err: error }, `bridge ${what} failed; trying again in ${Math.round(ms / 1000)} s`);
      } finally {
        running = false;
      }
    };
    const timer = setInterval(() => void tick(), ms);
    timer.unref();
    timers.push(timer);
    void tick();
  };

  const auth: { token: string | undefined } & WriteAuth = { token: tokenOf(config), tokenSetting: 'bridge.webhook.token (IDE_MONITOR_WEBHOOK_TOKEN)' };
  const extension: ServerExtension = {
    name: 'bridge',
    // No landing-page link to the alert API: it is JSON for signed-in clients (a plain link answers 401); the status page shows the alerts.
    links: [],
    mountApi(app) {
      // Readiness on the store (a Kubernetes readinessProbe): without it a replica cannot accept a
      // notification, so the Service should send Alertmanager to the other one. No auth: it says nothing.
      app.get(READY_PATH, (_req, res) => {
        store.ping().then(
          () => res.type('text/plain').send('bridge store ready\n'),
          () => res.status(503).type('text/plain').send(`bridge store (${store.kind}) unreachable\n`),
        );
      });
      mountWebhook(app, {
        auth,
        maxBody: config.webhook.max_body,
        limits: { maxLabelValue: config.webhook.max_label_value, maxAnnotation: config.webhook.max_annotation },
        intake,
        metrics,
        logger,
        accepting: () => accepting,
        enqueued: (names) => {
          wake(names);
          // The status page shows a new alert at its next tick, not after the summary's own period.
          if (open) void refreshSummary().catch(() => {});
        },
      });
      mountAlertsApi(
        app,
        routing({
          access: accessOf(ctx),
          store,
          alertmanager: alertmanagers[0],
          ackSilence: config.alertmanager.ack_silence,
          metrics,
          logger,
          wake,
        }),
      );
    },
  };

  logger.info(
    {
      store: store.kind === 'sqlite' ? `sqlite (${config.data_dir})` : `postgresql (pool ${config.database.pool_size}, lease ${config.database.lease} ms)`,
      channels: [...channels.keys()].join(',') || 'none',
      actions: config.actions.definitions.length,
      routes: config.routes.length === 0 ? 'default' : config.routes.length,
      reconciler: reconciler === undefined ? 'off (no bridge.alertmanager.url)' : alertmanagerUrls.length,
      auth: auth.token === undefined ? 'loopback only' : 'bearer token',
    },
    `alert bridge ready; Alertmanager webhook at ${WEBHOOK_PATH}`,
  );

  return {
    extension,
    async start() {
      dispatcher.start();
      every(PRUNE_EVERY_MS, 'pruning', () => store.prune(Date.now() - config.retention));
      every(SUMMARY_EVERY_MS, 'alert summary', refreshSummary);
      every(config.escalation_check_interval, 'escalation check', () => escalator.run());
      if (reconciler !== undefined) every(config.alertmanager.reconcile_interval, 'reconciliation', () => reconciler.run());
      if (reminders !== undefined) every(Math.min(Math.max(repeatInterval! / 4, 1000), 60_000), 'reminders', () => reminders.run());
      if (store.kind === 'postgres') {
        // Replicas share the outbox: a replica that died leaves claims only a live one can take back once
        // their lease runs out, and deliveries another replica enqueued wake nobody here. Both are picked
        // up at half the lease, so a killed replica's work resumes within 1.5 leases.
        every(Math.max(1000, Math.floor(config.database.lease / 2)), 'lease reclaim', async () => {
          await reclaim(false, 'another replica (or a previous run)');
          dispatcher.wake([...channels.keys(), 'action']);
        });
      }
    },
    async stop() {
      accepting = false;
      for (const timer of timers) clearInterval(timer);
      const drained = await dispatcher.stop(config.shutdown_grace);
      if (!drained) logger.warn({ in_flight: dispatcher.inFlight() }, 'deliveries still in flight at shutdown; they are reclaimed at the next start');
      await runner.close();
      for (const channel of channels.values()) channel.notifier.close?.();
      for (const am of alertmanagers) am.close();
      open = false;
      await store.close();
    },
    summary: () => summary,
    audit: (kind, detail) => store.audit(kind, undefined, detail),
    async reload(next) {
      const bridge = next.bridge;
      const unapplied = unappliedChanges('bridge', config, bridge, LIVE_SETTINGS);
      if (slowestOf(bridge) > leaseMs) unapplied.push('bridge.actions.definitions[].timeout (longer than the claim lease set at start)');
      auth.token = tokenOf(bridge);
      // An endpoint whose settings and files did not change keeps its notifier (and its connections); a
      // rotated secret file or renewed CA behind the same path is a change (rotating it is how it changes).
      const nextForms = formsOf(bridge);
      const replaced: ConfiguredChannel[] = [];
      const kept = new Map<string, ConfiguredChannel>();
      for (const [name, channel] of channels) {
        if (channelForms.get(name) === nextForms.get(name)) kept.set(name, channel);
        else replaced.push(channel);
      }
      channelForms = nextForms;
      channels = createChannels(bridge, logger, ctx.registry, kept);
      routes = compileRoutes(bridge.routes);
      warnAboutUnusableRoutes(routes, channels, bridge, logger);
      const oldRunner = runner;
      const actionsChanged = JSON.stringify(applied.actions) !== JSON.stringify(bridge.actions);
      if (actionsChanged) runner = createRunner(bridge);
      applied = bridge;
      await dispatcher.replaceHandlers(handlersOf(bridge));
      // Deliveries that were in flight on the old endpoints have ended: release them.
      for (const channel of replaced) channel.notifier.close?.();
      if (actionsChanged) await oldRunner.close();
      await reportStranded(store, channels, logger);
      logger.info(
        {
          channels: [...channels.keys()].join(',') || 'none',
          routes: bridge.routes.length === 0 ? 'default' : bridge.routes.length,
          actions: bridge.actions.definitions.length,
        },
        'alert bridge reconfigured',
      );
      return unapplied;
    },
  };
}

/**
 * What a reload applies at once. The rest (the store, Alertmanager URLs, timers, retry policy, limits)
 * is wired into long-lived parts at start and is named in the reload's "changes only on restart" line.
 */
const LIVE_SETTINGS = ['routes', 'channels', 'actions', 'webhook.token', 'webhook.token_file'];

/** Deliveries waiting for a channel a reload removed stay in the outbox; say how many, so nobody wonders. */
async function reportStranded(store: BridgeStore, channels: ReadonlyMap<string, unknown>, logger: Logger): Promise<void> {
  const stats = await store.pendingStats().catch(() => []);
  for (const { channel, pending } of stats) {
    if (channel !== 'action' && !channels.has(channel) && pending > 0) {
      logger.warn(
        { channel, pending },
        'deliveries wait for a channel the reloaded configuration no longer has; they are sent if it is configured again, pruned with the rest otherwise',
      );
    }
  }
}

/** The configured channels (an endpoint set), in registry order; `keep` holds ones a reload did not change. */
function createChannels(
  config: BridgeConfig,
  logger: Logger,
  registry: Registry,
  keep: ReadonlyMap<string, ConfiguredChannel> = new Map(),
): Map<string, ConfiguredChannel> {
  const configured = new Map<string, ConfiguredChannel>();
  for (const definition of CHANNELS) {
    const kept = keep.get(definition.name);
    if (kept !== undefined) {
      configured.set(definition.name, kept);
      continue;
    }
    const section = config.channels[definition.name]!;
    const notifier = definition.create(section, { logger: logger.child({ channel: definition.name }), registry });
    if (notifier !== undefined) configured.set(definition.name, { definition, notifier, sendResolved: section.send_resolved });
  }
  return configured;
}

/** Routes may name channels that have no endpoint, and channels may be configured that no route reaches: say so once, here. */
function warnAboutUnusableRoutes(routes: readonly Route[], configured: ReadonlyMap<string, unknown>, config: BridgeConfig, logger: Logger): void {
  for (const problem of routingProblems(routes, configured, config)) logger.warn(problem);
  if (routes.some((r) => r.actions) && config.actions.definitions.length === 0)
    logger.info('routes allow actions but none are configured (bridge.actions.definitions)');
}

/** The routing mistakes that silently do nothing, as one line each (shared with check-config). */
export function routingProblems(routes: readonly Route[], configured: ReadonlyMap<string, unknown>, config: BridgeConfig): string[] {
  const problems: string[] = [];
  const explicit = config.routes.length > 0;
  const named = new Set(routes.flatMap((r) => [...r.channels, ...r.escalateTo]));
  if (explicit) {
    for (const definition of CHANNELS) {
      if (named.has(definition.name) && !configured.has(definition.name)) {
        problems.push(`channel ${definition.name} is routed to but not configured; set ${definition.configureHint}. Its notifications are skipped`);
      }
    }
  }
  for (const name of configured.keys()) {
    if (!named.has(name) && channelNamed(name)?.onByDefault !== true)
      problems.push(`channel ${name} is configured but no route sends to it (bridge.routes); add it to a route's channels or it receives nothing`);
  }
  return problems;
}
