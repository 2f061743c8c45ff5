import type { Registry } from 'prom-client';
import type { Config } from '../config/schema.js';
import { resolveSecret } from '../config/secret-file.js';
import type { WebConfig } from '../exporter/web-config.js';
import type { Logger } from '../log.js';
import { Authenticator } from './authenticator.js';
import { AccessGuard } from './guard.js';

/** The webhook token of a config, its file read once per config (i.e. per start or reload), not per request. */
const webhookTokens = new WeakMap<Config, string | undefined>();
function webhookTokenOf(config: Config): string | undefined {
  if (!webhookTokens.has(config))
    webhookTokens.set(config, resolveSecret('bridge.webhook.token', config.bridge.webhook.token, config.bridge.webhook.token_file));
  return webhookTokens.get(config);
}

/** The access checks of a running server; the getters return the running config, so reloads apply. */
export function createAccessGuard(config: () => Config, web: () => WebConfig, registry: Registry, logger: Logger): AccessGuard {
  const authenticator = new Authenticator({
    access: () => config().access,
    basicAuthUsers: () => web().basicAuthUsers,
    webhookToken: () => webhookTokenOf(config()),
  });
  const first = config();
  if (authenticator.legacy && first.bridge.enabled && webhookTokenOf(first) !== undefined) {
    logger.warn(
      'the alert API (ack, resolve, audit) accepts bridge.webhook.token, the credential Alertmanager posts alerts with: anyone who may ack can inject alerts. Give people their own tokens in access.principals (SECURITY.md)',
    );
  }
  return new AccessGuard(authenticator, registry, logger);
}

const fallbacks = new WeakMap<Registry, AccessGuard>();

/**
 * The server's access checks, or, where a feature is built without them (tests, tools embedding one
 * feature), checks from the feature's own config with no basic-auth users: one per registry, so the
 * failure counter is registered once.
 */
export function accessOf(ctx: { readonly access?: AccessGuard; readonly config: Config; readonly registry: Registry; readonly logger: Logger }): AccessGuard {
  if (ctx.access !== undefined) return ctx.access;
  let guard = fallbacks.get(ctx.registry);
  if (guard === undefined) {
    guard = createAccessGuard(
      () => ctx.config,
      () => ({ headers: {} }),
      ctx.registry,
      ctx.logger,
    );
    fallbacks.set(ctx.registry, guard);
  }
  return guard;
}
