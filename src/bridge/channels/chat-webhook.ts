import { z } from 'zod';
import { resolveSecret } from '../../config/secret-file.js';
import type { OutboundResponse } from '../../http/outbound.js';
import type { AckNotification, GroupNotification } from '../notification.js';
import { createChannelHttp } from './delivery.js';
import { channelCommon, defineChannel, httpUrl, optionalPath, type AnyChannel } from './definition.js';
import type { DeliveryResult, Notifier } from './notifier.js';
import { requireSecretUrl } from './secret-url.js';

interface ChatWebhookOptions<M> {
  /** The channel's title, in messages: "Slack". */
  readonly title: string;
  /** The URL setting, for errors: `bridge.channels.slack.webhook_url`. */
  readonly setting: string;
  readonly url: string | undefined;
  readonly urlFile: string | undefined;
  readonly timeoutMs: number;
  readonly message: (notification: GroupNotification) => M;
  readonly ackMessage: (notification: AckNotification) => M;
  /** Reads a service's special answers (Discord's 429 body) before the shared reading. */
  readonly read?: (response: OutboundResponse) => DeliveryResult | undefined;
}

/**
 * The sender every chat webhook channel (Slack, Teams, Discord) shares: a secret URL, one JSON message per
 * group, a short message per ack (an incoming webhook can neither edit nor thread its earlier message).
 * Undefined when no URL is set (the channel is off).
 */
function createChatWebhookNotifier<M>(options: ChatWebhookOptions<M>): Notifier | undefined {
  const raw = resolveSecret(options.setting, options.url, options.urlFile);
  if (raw === undefined) return undefined;
  const url = requireSecretUrl(`${options.title} webhook URL`, raw);
  const http = createChannelHttp(options.timeoutMs);
  return {
    async notify(notification) {
      if (notification.kind === 'alert') return { outcome: 'give_up', reason: `${options.title} sends group notifications, not single alerts` };
      const message = notification.kind === 'ack' ? options.ackMessage(notification) : options.message(notification);
      return http.send({ url, body: JSON.stringify(message) }, options.read);
    },
    close: () => http.close(),
  };
}

export interface ChatWebhookChannel<M> {
  /** The registry name, also the config section and flag prefix: `slack` → `bridge.channels.slack`, `--slack.webhook-url`. */
  readonly name: string;
  /** What a person calls it: "Microsoft Teams". */
  readonly title: string;
  /** The short name in delivery errors: "Teams". */
  readonly shortTitle: string;
  /** The `--help` line of the webhook URL setting. */
  readonly urlHelp: string;
  /** The service's own pace per webhook (messages per second); its 429s are honoured as well. */
  readonly messagesPerSecond: number;
  readonly message: (notification: GroupNotification) => M;
  readonly ackMessage: (notification: AckNotification) => M;
  readonly read?: (response: OutboundResponse) => DeliveryResult | undefined;
}

/**
 * A chat channel behind an incoming webhook (Slack, Teams, Discord): a secret webhook URL, one message per
 * group, acks as short messages, one request at a time at the service's pace. Only the message builders and
 * the pace differ between them, so the settings, config section and pacing are made here once.
 */
export function defineChatWebhookChannel<M>(channel: ChatWebhookChannel<M>): AnyChannel {
  const schema = z
    .strictObject({
      webhook_url: httpUrl.optional(),
      webhook_url_file: optionalPath,
      ...channelCommon,
      messages_per_second: z.number().positive().default(channel.messagesPerSecond),
    })
    .prefault({});
  const setting = `bridge.channels.${channel.name}.webhook_url`;
  return defineChannel<z.output<typeof schema>>({
    name: channel.name,
    title: channel.title,
    unit: 'group',
    ack: 'message',
    schema,
    settings: [
      { name: `${channel.name}.webhook-url`, path: ['bridge', 'channels', channel.name, 'webhook_url'], kind: 'string', secret: true, help: channel.urlHelp },
    ],
    configureHint: `${setting} or IDE_MONITOR_${channel.name.toUpperCase()}_WEBHOOK_URL`,
    create: (config) =>
      createChatWebhookNotifier({
        title: channel.shortTitle,
        setting,
        url: config.webhook_url,
        urlFile: config.webhook_url_file,
        timeoutMs: config.timeout,
        message: channel.message,
        ackMessage: channel.ackMessage,
        ...(channel.read !== undefined && { read: channel.read }),
      }),
    // One at a time, at the service's pace: messages of different groups would otherwise race each other's rate limit.
    pacing: (config) => ({ concurrency: 1, minIntervalMs: Math.round(1000 / config.messages_per_second) }),
  });
}
