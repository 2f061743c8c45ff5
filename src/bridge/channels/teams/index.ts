import { defineChatWebhookChannel } from '../chat-webhook.js';
import { buildTeamsAckMessage, buildTeamsMessage } from './card.js';

/** Microsoft Teams through a Workflows (Power Automate) webhook: one Adaptive Card per group, acks as short cards. */
export const teams = defineChatWebhookChannel({
  name: 'teams',
  title: 'Microsoft Teams',
  shortTitle: 'Teams',
  urlHelp: 'Microsoft Teams Workflows (Power Automate) webhook URL.',
  // Teams throttles a webhook at a few messages per second.
  messagesPerSecond: 1,
  message: buildTeamsMessage,
  ackMessage: buildTeamsAckMessage,
});
