import { z } from 'zod';
import { resolveSecret } from '../../../config/secret-file.js';
import { requireSecretUrl } from '../secret-url.js';
import { createChannelHttp } from '../delivery.js';
import { channelCommon, defineChannel, httpUrl, optionalPath } from '../definition.js';
import type { Notifier } from '../notifier.js';
import { buildWebhookBody } from './body.js';

const schema = z
  .strictObject({
    url: httpUrl.optional(),
    url_file: optionalPath,
    /** Sent as `Authorization: Bearer` when set. */
    bearer_token: z.string().min(1).optional(),
    bearer_token_file: optionalPath,
    ...channelCommon,
    concurrency: z.number().int().positive().default(4),
  })
  .prefault({});

/** The generic outgoing webhook: our JSON to any URL, with an Idempotency-Key. */
export const webhook = defineChannel<z.output<typeof schema>>({
  name: 'webhook',
  title: 'outgoing webhook',
  unit: 'group',
  ack: 'message',
  schema,
  settings: [
    {
      name: 'outgoing-webhook.url',
      path: ['bridge', 'channels', 'webhook', 'url'],
      kind: 'string',
      secret: true,
      help: 'URL the generic outgoing webhook channel POSTs JSON to.',
    },
  ],
  configureHint: 'bridge.channels.webhook.url or IDE_MONITOR_OUTGOING_WEBHOOK_URL',
  create(config): Notifier | undefined {
    const raw = resolveSecret('bridge.channels.webhook.url', config.url, config.url_file);
    if (raw === undefined) return undefined;
    const url = requireSecretUrl('outgoing webhook URL', raw);
    const bearer = resolveSecret('bridge.channels.webhook.bearer_token', config.bearer_token, config.bearer_token_file);
    // With userinfo in the URL axios sends basic auth and drops our Authorization header: say so instead.
    if (bearer !== undefined && /^https?:\/\/[^/]*@/.test(url)) {
      throw new Error('bridge.channels.webhook: the URL carries a user:password and a bearer_token is set; use one of them');
    }
    const http = createChannelHttp(config.timeout);
    return {
      async notify(notification, dedupKey) {
        // Receivers can drop re-sends (at-least-once delivery) by this key.
        const headers: Record<string, string> = { 'Idempotency-Key': dedupKey };
        if (bearer !== undefined) headers['Authorization'] = `Bearer ${bearer}`;
        return http.send({ url, body: JSON.stringify(buildWebhookBody(notification)), headers });
      },
      close: () => http.close(),
    };
  },
  pacing: (config) => ({ concurrency: config.concurrency, minIntervalMs: 0 }),
});
