import { z } from 'zod';
import { createChatWebhookNotifier } from '../chat-webhook.js';
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
    return createChatWebhookNotifier({
      title: 'Slack',
      setting: 'bridge.channels.slack.webhook_url',
      url: config.webhook_url,
      urlFile: config.webhook_url_file,
      timeoutMs: config.timeout,
      message: buildSlackMessage,
      ackMessage: buildSlackAckMessage,
    });
  },
  pacing: (config) => ({ concurrency: 1, minIntervalMs: Math.round(1000 / config.messages_per_second) }),
});
