import { z } from 'zod';
import type { OutboundResponse } from '../../../http/outbound.js';
import { createChatWebhookNotifier } from '../chat-webhook.js';
import { classifyResponse } from '../delivery.js';
import { channelCommon, defineChannel, httpUrl, optionalPath } from '../definition.js';
import type { DeliveryResult, Notifier } from '../notifier.js';
import { buildDiscordAckMessage, buildDiscordMessage } from './message.js';

const schema = z
  .strictObject({
    webhook_url: httpUrl.optional(),
    webhook_url_file: optionalPath,
    ...channelCommon,
    /** Discord allows about 5 requests per 2 seconds per webhook; its 429s say how long to wait, and we do. */
    messages_per_second: z.number().positive().default(2),
  })
  .prefault({});

/** Discord webhooks: one message with embeds per group, acks as short messages. */
export const discord = defineChannel<z.output<typeof schema>>({
  name: 'discord',
  title: 'Discord',
  unit: 'group',
  ack: 'message',
  schema,
  settings: [{ name: 'discord.webhook-url', path: ['bridge', 'channels', 'discord', 'webhook_url'], kind: 'string', secret: true, help: 'Discord webhook URL (https://discord.com/api/webhooks/ID/TOKEN).' }],
  configureHint: 'bridge.channels.discord.webhook_url or IDE_MONITOR_DISCORD_WEBHOOK_URL',
  create(config): Notifier | undefined {
    return createChatWebhookNotifier({
      title: 'Discord',
      setting: 'bridge.channels.discord.webhook_url',
      url: config.webhook_url,
      urlFile: config.webhook_url_file,
      timeoutMs: config.timeout,
      message: buildDiscordMessage,
      ackMessage: buildDiscordAckMessage,
      read: readDiscordAnswer,
    });
  },
  pacing: (config) => ({ concurrency: 1, minIntervalMs: Math.round(1000 / config.messages_per_second) }),
});

/** A 429 carries `retry_after` in seconds (fractional) in its JSON body: more precise than the header, so it wins. */
export function readDiscordAnswer(response: OutboundResponse): DeliveryResult | undefined {
  if (response.status !== 429) return undefined;
  let seconds: unknown;
  try {
    seconds = (JSON.parse(response.body) as { retry_after?: unknown }).retry_after;
  } catch {
    return undefined;
  }
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return undefined;
  return classifyResponse(response, Math.ceil(seconds * 1000));
}
