import { resolveSecret } from '../../config/secret-file.js';
import type { OutboundResponse } from '../../http/outbound.js';
import type { AckNotification, GroupNotification } from '../notification.js';
import { createChannelHttp } from './delivery.js';
import type { DeliveryResult, Notifier } from './notifier.js';
import { requireSecretUrl } from './secret-url.js';

export interface ChatWebhookOptions<M> {
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
export function createChatWebhookNotifier<M>(options: ChatWebhookOptions<M>): Notifier | undefined {
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
