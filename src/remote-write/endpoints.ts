import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/problems.js';
import { resolveSecret } from '../config/secret-file.js';
import type { RemoteWriteEndpointConfig } from '../config/sections/remote-write.js';
import type { RemoteEndpoint } from './client.js';

/**
 * Turns the `remote_write:` entries into endpoints ready to send: secrets read from their `*_file`, TLS
 * files read. Every failure names the entry's setting path, so `serve` and `check-config` say the same.
 */
export function resolveEndpoints(entries: readonly RemoteWriteEndpointConfig[]): RemoteEndpoint[] {
  return entries.map((entry, index) => resolveEndpoint(entry, `remote_write.${index}`));
}

function resolveEndpoint(entry: RemoteWriteEndpointConfig, at: string): RemoteEndpoint {
  const url = new URL(entry.url);
  const headers: Record<string, string> = { ...entry.headers };
  const auth = authorizationOf(entry, at);
  if (auth !== undefined) headers['Authorization'] = auth;
  const tls = entry.tls_config;
  const read = (key: string, file: string | undefined): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (error) {
      throw new ConfigError([
        {
          source: 'config',
          path: `${at}.tls_config.${key}`,
          message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        },
      ]);
    }
  };
  const ca = read('ca_file', tls.ca_file);
  const cert = read('cert_file', tls.cert_file);
  const key = read('key_file', tls.key_file);
  return {
    url,
    label: labelOf(url),
    timeoutMs: entry.remote_timeout,
    headers,
    tls: {
      ...(ca !== undefined && { ca }),
      ...(cert !== undefined && { cert }),
      ...(key !== undefined && { key }),
      ...(tls.server_name !== undefined && { servername: tls.server_name }),
      rejectUnauthorized: !tls.insecure_skip_verify,
    },
  };
}

function authorizationOf(entry: RemoteWriteEndpointConfig, at: string): string | undefined {
  if (entry.basic_auth !== undefined) {
    const { username, password, password_file } = entry.basic_auth;
    const secret = resolveSecret(`${at}.basic_auth.password`, password, password_file) ?? '';
    return `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`;
  }
  if (entry.authorization !== undefined) {
    const { type, credentials, credentials_file } = entry.authorization;
    return `${type} ${resolveSecret(`${at}.authorization.credentials`, credentials, credentials_file)}`;
  }
  const bearer = resolveSecret(`${at}.bearer_token`, entry.bearer_token, entry.bearer_token_file);
  return bearer === undefined ? undefined : `Bearer ${bearer}`;
}

/** The endpoint as metrics and logs name it: credentials and query strings (API keys) left out. */
export function labelOf(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
