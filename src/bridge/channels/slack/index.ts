import { defineChatWebhookChannel } from '../chat-webhook.js';
import { buildSlackAckMessage, buildSlackMessage } from './message.js';

/** Slack incoming webhooks: one message per group, acks as short messages (a webhook cannot edit or thread). */
export const slack = defineChatWebhookChannel({
  name: 'slack',
  title: 'Slack',
  shortTitle: 'Slack',
  urlHelp: 'Slack incoming webhook URL.',
  // Slack accepts about one message per second per webhook.
  messagesPerSecond: 1,
  message: buildSlackMessage,
  ackMessage: buildSlackAckMessage,
});
