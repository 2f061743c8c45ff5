import { z } from 'zod';
import { actionDefinitionsSchema } from '../../bridge/actions/schema.js';
import { byteSize, duration, enabled, regex } from '../schema-types.js';
import type { Setting } from '../settings.js';

export const DEFAULT_PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
export const BRIDGE_CHANNELS = ['slack', 'pagerduty', 'webhook'] as const;
export type BridgeChannel = (typeof BRIDGE_CHANNELS)[number];

const url = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });
const optionalPath = z.string().min(1).optional();

/** Delivery timing shared by the channels; the dispatcher applies it, the channels never retry. */
const retrySchema = z
  .strictObject({
    initial_backoff: duration.default(1000),
    max_backoff: duration.default(300_000),
    /** Attempts before a notification is dead-lettered (a 4xx gives up at once). */
    max_attempts: z.number().int().positive().default(50),
    /** Age after which a notification is dead-lettered instead of retried. */
    max_age: duration.default(86_400_000),
  })
  .prefault({});

const channelCommon = {
  send_resolved: z.boolean().default(true),
  timeout: duration.default(10_000),
};

/**
 * One route: an alert matches when every `match` label equals and every `match_re` label matches
 * (anchored, like Alertmanager). The first matching route wins unless it says `continue: true`.
 */
const routeSchema = z.strictObject({
  match: z.record(z.string(), z.string()).default({}),
  match_re: z.record(z.string(), regex).default({}),
  channels: z.array(z.enum(BRIDGE_CHANNELS)).default([]),
  actions: z.boolean().default(false),
  continue: z.boolean().default(false),
});
export type RouteConfig = z.output<typeof routeSchema>;

/** `bridge:` — the Alertmanager webhook receiver and its channels, actions and outbox. */
export const bridgeSchema = z
  .strictObject({
    enabled: enabled(true),
    /** Where the outbox (SQLite) lives; created if missing. */
    data_dir: z.string().min(1).default('./data'),
    /** How long delivered notifications, history and audit records are kept. */
    retention: duration.default(7 * 86_400_000),
    /** Grace given to in-flight deliveries on SIGTERM before the database closes. */
    shutdown_grace: duration.default(5000),
    webhook: z
      .strictObject({
        /** Bearer token Alertmanager sends (`http_config.authorization.credentials`); without one, loopback only. */
        token: z.string().min(1).optional(),
        token_file: optionalPath,
        max_body: byteSize.default(4 * 2 ** 20),
      })
      .prefault({}),
    alertmanager: z
      .strictObject({
        /** Alertmanager's base URL, for acknowledgements (silences) and silence links. */
        url: url.optional(),
      })
      .prefault({}),
    channels: z
      .strictObject({
        slack: z
          .strictObject({
            webhook_url: url.optional(),
            webhook_url_file: optionalPath,
            ...channelCommon,
            /** Slack accepts about one message per second per webhook. */
            messages_per_second: z.number().positive().default(1),
          })
          .prefault({}),
        pagerduty: z
          .strictObject({
            routing_key: z.string().min(1).optional(),
            routing_key_file: optionalPath,
            events_url: url.default(DEFAULT_PAGERDUTY_EVENTS_URL),
            ...channelCommon,
            /** Concurrent requests; PagerDuty's own limit is answered with 429s, which we honour. */
            concurrency: z.number().int().positive().default(4),
          })
          .prefault({}),
        webhook: z
          .strictObject({
            url: url.optional(),
            url_file: optionalPath,
            /** Sent as `Authorization: Bearer` when set. */
            bearer_token: z.string().min(1).optional(),
            bearer_token_file: optionalPath,
            ...channelCommon,
            concurrency: z.number().int().positive().default(4),
          })
          .prefault({}),
      })
      .prefault({}),
    retry: retrySchema,
    /** Empty: the default routing (critical → PagerDuty + Slack + actions, high → Slack + actions, medium → Slack, low → log). */
    routes: z.array(routeSchema).default([]),
    actions: z
      .strictObject({
        dry_run: z.boolean().default(false),
        max_concurrent: z.number().int().positive().default(4),
        definitions: actionDefinitionsSchema.default([]),
      })
      .prefault({}),
  })
  .prefault({});

export type BridgeConfig = z.output<typeof bridgeSchema>;

export const BRIDGE_SETTINGS: readonly Setting[] = [
  { name: 'bridge.enabled', path: ['bridge', 'enabled'], kind: 'boolean', help: 'Enable the alert bridge (POST /api/v1/alertmanager/webhook → Slack, PagerDuty, webhook, actions).' },
  { name: 'data-dir', path: ['bridge', 'data_dir'], kind: 'string', help: 'Directory of the alert bridge outbox (SQLite).' },
  { name: 'webhook.token', path: ['bridge', 'webhook', 'token'], kind: 'string', secret: true, help: 'Bearer token Alertmanager must send to the bridge webhook and alert API (without one, only loopback callers are accepted).' },
  { name: 'alertmanager.url', path: ['bridge', 'alertmanager', 'url'], kind: 'string', help: 'Alertmanager base URL, used to acknowledge alerts (silences) and in silence links.' },
  { name: 'slack.webhook-url', path: ['bridge', 'channels', 'slack', 'webhook_url'], kind: 'string', secret: true, help: 'Slack incoming webhook URL.' },
  { name: 'pagerduty.routing-key', path: ['bridge', 'channels', 'pagerduty', 'routing_key'], kind: 'string', secret: true, help: 'PagerDuty Events API v2 routing (integration) key.' },
  { name: 'pagerduty.events-url', path: ['bridge', 'channels', 'pagerduty', 'events_url'], kind: 'string', help: 'PagerDuty Events API v2 enqueue URL.' },
  { name: 'outgoing-webhook.url', path: ['bridge', 'channels', 'webhook', 'url'], kind: 'string', secret: true, help: 'URL the generic outgoing webhook channel POSTs JSON to.' },
];
