import type { Registry } from 'prom-client';
import { z } from 'zod';
import { ConfigError } from '../../config/problems.js';
import { duration } from '../../config/schema-types.js';
import type { Setting } from '../../config/setting.js';
import type { Logger } from '../../log.js';
import type { Notifier } from './notifier.js';
import { channelTemplates, withTemplates, type ChannelTemplates } from './templates.js';

/** Settings every channel has; the dispatcher and the intake read them through the registry. */
export const channelCommon = {
  /** Send the resolved state too (a resolve message, an incident closed). */
  send_resolved: z.boolean().default(true),
  /** One deadline for a whole request: connect, headers and body. */
  timeout: duration.default(10_000),
  ...channelTemplates,
};

export interface ChannelCommonConfig extends ChannelTemplates {
  readonly send_resolved: boolean;
  readonly timeout: number;
}

export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });
export const optionalPath = z.string().min(1).optional();

interface ChannelContext {
  readonly logger: Logger;
  /** The process' metrics registry, for a channel that counts what it does itself (the log channel). */
  readonly registry: Registry;
}

/**
 * One notification channel, as Alertmanager's `notify/<name>/` package is one integration: its config
 * section (`bridge.channels.<name>`), its flags and variables, how it turns notifications into requests,
 * and how fast it may send. Intake, routing, dispatcher, config and `--help` learn about channels only
 * through the list of these in `registry.ts`.
 */
export interface ChannelDefinition<C extends ChannelCommonConfig = ChannelCommonConfig> {
  readonly name: string;
  /** What a person calls it, in messages. */
  readonly title: string;
  /** One delivery per Alertmanager group (a chat message, an email) or per alert (an incident, an SMS). */
  readonly unit: 'group' | 'alert';
  /**
   * How an acknowledgement is shown: `native` (the service has the state: PagerDuty, OpsGenie),
   * `message` (a short "acknowledged by …" message), `none` (not sent: an SMS for every ack is noise).
   */
  readonly ack: 'native' | 'message' | 'none';
  /** The `bridge.channels.<name>` section. */
  readonly schema: z.ZodType<C>;
  readonly settings: readonly Setting[];
  /**
   * On without any setting (it needs no endpoint: the log channel). Not warned about when a config's
   * own routes leave it out: that is how it is turned off for them.
   */
  readonly onByDefault?: boolean;
  /** The setting that turns it on, for "routed to but not configured" warnings. */
  readonly configureHint: string;
  /** The channel's sender, or undefined when it is not configured (no endpoint). Throws on a bad secret. */
  create(config: C, context: ChannelContext): Notifier | undefined;
  /** Requests in flight at once (different order keys only) and the minimum gap between two starts. */
  pacing(config: C): { readonly concurrency: number; readonly minIntervalMs: number };
}

/** The registry holds channels of different config types; this erases the type parameter safely in one place. */
export type AnyChannel = ChannelDefinition<ChannelCommonConfig>;

export function defineChannel<C extends ChannelCommonConfig>(definition: ChannelDefinition<C>): AnyChannel {
  // Every channel's title_template and body_template are applied here, once, before its own builder runs.
  const templated: ChannelDefinition<C> = {
    ...definition,
    create(config, context) {
      const notifier = definition.create(config, context);
      return notifier === undefined ? undefined : withTemplates(notifier, config);
    },
  };
  return templated;
}

/** Settings of a channel that parse but do not fit together (a host and no sender): a one-line config error, no stack trace. */
export function channelConfigError(channel: string, message: string, field?: string): ConfigError {
  return new ConfigError([{ source: 'config', path: `bridge.channels.${channel}${field === undefined ? '' : `.${field}`}`, message }]);
}
