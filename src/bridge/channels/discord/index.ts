import { z } from 'zod';
import { resolveSecret } from '../../../config/secret-file.js';
import type { OutboundResponse } from '../../../http/outbound.js';
import { classifyResponse, createChannelHttp } from '../delivery.js';
import { channelCommon, defineChannel, httpUrl, optionalPath } from '../definition.js';
import type { DeliveryResult, Notifier } from '../notifier.js';
import { requireSecretUrl } from '../secret-url.js';
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
    const url = resolveSecret('bridge.channels.discord.webhook_url', config.webhook_url, config.webhook_url_file);
    if (url === undefined) return undefined;
    const webhookUrl = requireSecretUrl('Discord webhook URL', url);
    const http = createChannelHttp(config.timeout);
    return {
      async notify(notification) {
        const message = notification.kind === 'ack' ? buildDiscordAckMessage(notification) : notification.kind === 'group' ? buildDiscordMessage(notification) : undefined;
        if (message === undefined) return { outcome: 'give_up', reason: `Discord sends group notifications, not ${notification.kind}` };
        return http.send({ url: webhookUrl, body: JSON.stringify(message) }, readDiscordAnswer);
      },
      close: () => http.close(),
    };
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
