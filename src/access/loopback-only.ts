import type { Config } from '../config/schema.js';
import type { WebConfig } from '../exporter/web-config.js';

/**
 * Loopback-only mode: no credential of any kind is configured (no ingest or webhook token, no principals,
 * no basic-auth users), so the APIs trust loopback callers, and every route of a loopback caller must name a
 * loopback host (src/exporter/server.ts): a local browser page rebound to 127.0.0.1 names its own host.
 * Read from the settings, not the secret files: preflight made sure a `*_file` holds a secret.
 */
export function isLoopbackOnly(config: Config, web: WebConfig): boolean {
  return (
    (web.basicAuthUsers?.size ?? 0) === 0 &&
    config.access.principals.length === 0 &&
    config.ingest.token === undefined &&
    config.ingest.token_file === undefined &&
    config.bridge.webhook.token === undefined &&
    config.bridge.webhook.token_file === undefined
  );
}
