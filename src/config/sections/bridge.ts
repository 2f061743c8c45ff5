import { z } from 'zod';
import { actionDefinitionsSchema } from '../../bridge/actions/schema.js';
import { CHANNEL_NAMES, CHANNELS } from '../../bridge/channels/registry.js';
import { byteSize, duration, enabled, regex } from '../schema-types.js';
import type { Setting } from '../setting.js';

const url = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });
const optionalPath = z.string().min(1).optional();

const channelName = z.string().refine((name) => CHANNEL_NAMES.includes(name), {
  error: (issue) => `unknown channel ${JSON.stringify(issue.input)}; channels are ${CHANNEL_NAMES.join(', ')}`,
});

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

/**
 * One route: an alert matches when every `match` label equals and every `match_re` label matches
 * (anchored, like Alertmanager). The first matching route wins unless it says `continue: true`.
 * `escalate_after`: a firing alert not acknowledged in that time also goes to `escalate_to`.
 */
const routeSchema = z
  .strictObject({
    match: z.record(z.string(), z.string()).default({}),
    match_re: z.record(z.string(), regex).default({}),
    channels: z.array(channelName).default([]),
    actions: z.boolean().default(false),
    continue: z.boolean().default(false),
    escalate_after: duration.optional(),
    escalate_to: z.array(channelName).default([]),
  })
  .refine((route) => (route.escalate_after === undefined) === (route.escalate_to.length === 0), {
    error: 'escalate_after and escalate_to go together: set both (e.g. escalate_after: 15m, escalate_to: [pagerduty]) or neither',
  });
export type RouteConfig = z.output<typeof routeSchema>;

/** `bridge.channels`: one section per channel of the registry, each with its own schema. */
const channelsSchema = z.strictObject(Object.fromEntries(CHANNELS.map((c) => [c.name, c.schema]))).prefault({});

/** `bridge:` — the Alertmanager webhook receiver and its channels, actions and outbox. */
export const bridgeSchema = z
  .strictObject({
    enabled: enabled(true),
    /** Where the embedded store (SQLite) lives; created if missing. Unused with `database.url`. */
    data_dir: z.string().min(1).default('./data'),
    database: z
      .strictObject({
        /** `postgres://user@host:5432/db`: a store shared by bridge replicas. Unset: SQLite in data_dir. */
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
          .optional(),
        url_file: optionalPath,
        /** The password, when not in the URL. */
        password: z.string().min(1).optional(),
        password_file: optionalPath,
        /** How long a replica holds a claimed delivery; a killed replica's claims are taken over after it. */
        lease: duration.default(60_000),
        pool_size: z.number().int().positive().max(100).default(10),
      })
      .prefault({}),
    /** How long delivered notifications, history, audit records and resolved alerts are kept. */
    retention: duration.default(7 * 86_400_000),
    /** Grace given to in-flight deliveries on SIGTERM before the database closes. */
    shutdown_grace: duration.default(5000),
    webhook: z
      .strictObject({
        /** Bearer token Alertmanager sends (`http_config.authorization.credentials`); without one, loopback only. */
        token: z.string().min(1).optional(),
        token_file: optionalPath,
        max_body: byteSize.default(4 * 2 ** 20),
        /** Longer label values and annotations are cut (with a marker) at intake, and counted. */
        max_label_value: byteSize.default(4096),
        max_annotation: byteSize.default(16_384),
      })
      .prefault({}),
    alertmanager: z
      .strictObject({
        /** Alertmanager's base URL(s): acknowledgements (silences) and the reconciler read and write here. */
        url: url.optional(),
        /** More peers of the same cluster: the reconciler resolves only what none of them has. */
        peers: z.array(url).default([]),
        /** How often the reconciler compares the bridge's firing alerts with Alertmanager's. */
        reconcile_interval: duration.default(60_000),
        /**
         * An alert must be missing from Alertmanager this long before the bridge resolves it: Alertmanager
         * keeps alerts in memory, and after its restart Prometheus re-sends them within a minute or two.
         */
        reconcile_grace: duration.default(300_000),
        /** Acks create a silence by default (the reconciler delivers the resolve Alertmanager then withholds). */
        ack_silence: z.boolean().default(true),
        timeout: duration.default(10_000),
      })
      .prefault({}),
    channels: channelsSchema,
    retry: retrySchema,
    /** Empty: the default routing (critical → PagerDuty + Slack + actions, high → Slack + actions, medium → Slack, low → log). */
    routes: z.array(routeSchema).default([]),
    /** How often escalation clocks are checked. */
    escalation_check_interval: duration.default(5000),
    /**
     * Re-post an unacknowledged alert that is still firing every `repeat_interval` (off by default: a chat
     * channel that repeats itself is soon muted; escalation is the tool for "nobody reacted").
     */
    reminders: z
      .strictObject({
        repeat_interval: duration.optional(),
        severities: z.array(z.string().min(1)).default(['critical']),
        channels: z.array(channelName).default(['slack']),
      })
      .prefault({}),
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
  {
    name: 'bridge.enabled',
    path: ['bridge', 'enabled'],
    kind: 'boolean',
    help: `Enable the alert bridge (POST /api/v1/alertmanager/webhook → ${CHANNEL_NAMES.join(', ')}, actions).`,
  },
  { name: 'data-dir', path: ['bridge', 'data_dir'], kind: 'string', help: 'Directory of the alert bridge store (SQLite), when no database URL is set.' },
  {
    name: 'bridge.database-url',
    path: ['bridge', 'database', 'url'],
    kind: 'string',
    secret: true,
    help: 'PostgreSQL URL of a store shared by bridge replicas (postgres://user@host/db); unset: SQLite in the data dir.',
  },
  {
    name: 'webhook.token',
    path: ['bridge', 'webhook', 'token'],
    kind: 'string',
    secret: true,
    help: 'Bearer token Alertmanager must send to the bridge webhook and alert API (without one, only loopback callers are accepted).',
  },
  {
    name: 'alertmanager.url',
    path: ['bridge', 'alertmanager', 'url'],
    kind: 'string',
    help: "Alertmanager base URL: acknowledgements create silences there and the reconciler reads its alerts (silence links in messages come from the payload's externalURL).",
  },
  ...CHANNELS.flatMap((c) => c.settings),
];
