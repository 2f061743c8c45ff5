import type { AnyChannel } from './definition.js';
import { discord } from './discord/index.js';
import { email } from './email/index.js';
import { log } from './log/index.js';
import { opsgenie } from './opsgenie/index.js';
import { pagerduty } from './pagerduty/index.js';
import { slack } from './slack/index.js';
import { sms } from './sms/index.js';
import { teams } from './teams/index.js';
import { webhook } from './webhook/index.js';

/**
 * Every notification channel, in the order `--help` and the docs list them. Adding a channel is a folder
 * under channels/ plus one entry here (docs/bridge.md, "Adding a channel").
 */
export const CHANNELS: readonly AnyChannel[] = [email, slack, teams, discord, pagerduty, opsgenie, sms, webhook, log];

export const CHANNEL_NAMES: readonly string[] = CHANNELS.map((c) => c.name);

export function channelNamed(name: string): AnyChannel | undefined {
  return CHANNELS.find((c) => c.name === name);
}
