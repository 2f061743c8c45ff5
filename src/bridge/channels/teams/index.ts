import { z } from 'zod';
import { createChatWebhookNotifier } from '../chat-webhook.js';
import { channelCommon, defineChannel, httpUrl, optionalPath } from '../definition.js';
import type { Notifier } from '../notifier.js';
import { buildTeamsAckMessage, buildTeamsMessage } from './card.js';

const schema = z
  .strictObject({
    webhook_url: httpUrl.optional(),
    webhook_url_file: optionalPath,
    ...channelCommon,
    /** Teams throttles a webhook at a few messages per second; its 429s are honoured as well. */
    messages_per_second: z.number().positive().default(1),
  })
  .prefault({});

/** Microsoft Teams through a Workflows (Power Automate) webhook: one Adaptive Card per group, acks as short cards. */
export const teams = defineChannel<z.output<typeof schema>>({
  name: 'teams',
  title: 'Microsoft Teams',
  unit: 'group',
  ack: 'message',
  schema,
  settings: [{ name: 'teams.webhook-url', path: ['bridge', 'channels', 'teams', 'webhook_url'], kind: 'string', secret: true, help: 'Microsoft Teams Workflows (Power Automate) webhook URL.' }],
  configureHint: 'bridge.channels.teams.webhook_url or IDE_MONITOR_TEAMS_WEBHOOK_URL',
  create(config): Notifier | undefined {
    return createChatWebhookNotifier({
      title: 'Teams',
      setting: 'bridge.channels.teams.webhook_url',
      url: config.webhook_url,
      urlFile: config.webhook_url_file,
      timeoutMs: config.timeout,
      message: buildTeamsMessage,
      ackMessage: buildTeamsAckMessage,
    });
  },
  pacing: (config) => ({ concurrency: 1, minIntervalMs: Math.round(1000 / config.messages_per_second) }),
});
