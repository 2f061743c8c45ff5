import type { OutboundResponse } from '../../../http/outbound.js';
import { defineChatWebhookChannel } from '../chat-webhook.js';
import { classifyResponse } from '../delivery.js';
import type { DeliveryResult } from '../notifier.js';
import { buildDiscordAckMessage, buildDiscordMessage } from './message.js';

/** Discord webhooks: one message with embeds per group, acks as short messages. */
export const discord = defineChatWebhookChannel({
  name: 'discord',
  title: 'Discord',
  shortTitle: 'Discord',
  urlHelp: 'Discord webhook URL (https://discord.com/api/webhooks/ID/TOKEN).',
  // Discord allows about 5 requests per 2 seconds per webhook; its 429s say how long to wait, and we do.
  messagesPerSecond: 2,
  message: buildDiscordMessage,
  ackMessage: buildDiscordAckMessage,
  read: readDiscordAnswer,
});

/** A 429 carries `retry_after` in seconds (fractional) in its JSON body: more precise than the header, so it wins. */
function readDiscordAnswer(response: OutboundResponse): DeliveryResult | undefined {
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
