import { z } from 'zod';
import { resolveSecret } from '../../../config/secret-file.js';
import { requireSecretUrl } from '../secret-url.js';
import { createChannelHttp } from '../delivery.js';
import { channelCommon, defineChannel, httpUrl, optionalPath } from '../definition.js';
import type { Notifier } from '../notifier.js';
import { buildSlackAckMessage, buildSlackMessage } from './message.js';

const schema = z
  .strictObject({
    webhook_url: httpUrl.optional(),
    webhook_url_file: optionalPath,
    ...channelCommon,
    /** Slack accepts about one message per second per webhook. */
    messages_per_second: z.number().positive().default(1),
  })
  .prefault({});

/** Slack incoming webhooks: one message per group, acks as short messages (a webhook cannot edit or thread). */
export const slack = defineChannel<z.output<typeof schema>>({
  name: 'slack',
  title: 'Slack',
  unit: 'group',
  ack: 'message',
  schema,
  settings: [{ name: 'slack.webhook-url', path: ['bridge', 'channels', 'slack', 'webhook_url'], kind: 'string', secret: true, help: 'Slack incoming webhook URL.' }],
  configureHint: 'bridge.channels.slack.webhook_url or IDE_MONITOR_SLACK_WEBHOOK_URL',
  create(config): Notifier | undefined {
    const url = resolveSecret('bridge.channels.slack.webhook_url', config.webhook_url, config.webhook_url_file);
    if (url === undefined) return undefined;
    const webhookUrl = requireSecretUrl('Slack webhook URL', url);
    const http = createChannelHttp(config.timeout);
    return {
      async notify(notification) {
        const message = notification.kind === 'ack' ? buildSlackAckMessage(notification) : notification.kind === 'group' ? buildSlackMessage(notification) : undefined;
        if (message === undefined) return { outcome: 'give_up', reason: `Slack sends group notifications, not ${notification.kind}` };
        return http.send({ url: webhookUrl, body: JSON.stringify(message) });
      },
      close: () => http.close(),
    };
  },
  // One at a time, at Slack's pace: messages of different groups would otherwise race each other's rate limit.
  pacing: (config) => ({ concurrency: 1, minIntervalMs: Math.round(1000 / config.messages_per_second) }),
});
