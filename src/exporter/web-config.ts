import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readYamlFile, validate } from '../config/yaml-file.js';
import { ConfigError } from '../config/problems.js';

/**
 * The exporter-toolkit web configuration file (`--web.config.file`), so a file written for node_exporter
 * works here unchanged: TLS, client certificates, bcrypt basic-auth users and extra response headers.
 * Relative certificate paths resolve against the file's own directory, as exporter-toolkit does.
 */
const CLIENT_AUTH_TYPES = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'] as const;
const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
const tlsVersion = z.enum(['TLS10', 'TLS11', 'TLS12', 'TLS13']);
const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

const webConfigSchema = z
  .strictObject({
    tls_server_config: z
      .strictObject({
        cert_file: z.string().min(1),
        key_file: z.string().min(1),
        client_auth_type: z.enum(CLIENT_AUTH_TYPES).default('NoClientCert'),
        client_ca_file: z.string().min(1).optional(),
        min_version: tlsVersion.default('TLS12'),
        max_version: tlsVersion.default('TLS13'),
      })
      .optional(),
    basic_auth_users: z
      .record(z.string().min(1), z.string().regex(BCRYPT_HASH, 'must be a bcrypt hash (e.g. from `htpasswd -nBC 10 "" | tr -d \':\\n\'`)'))
      .optional(),
    http_server_config: z.strictObject({ headers: z.record(z.string(), z.string()).optional() }).optional(),
  })
  .refine((c) => c.tls_server_config?.client_auth_type !== 'RequireAndVerifyClientCert' || c.tls_server_config.client_ca_file !== undefined, {
    message: 'client_auth_type RequireAndVerifyClientCert needs client_ca_file',
    path: ['tls_server_config', 'client_ca_file'],
  });

interface TlsOptions {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer;
  readonly requestCert: boolean;
  readonly rejectUnauthorized: boolean;
  readonly minVersion: (typeof TLS_VERSIONS)[keyof typeof TLS_VERSIONS];
  readonly maxVersion: (typeof TLS_VERSIONS)[keyof typeof TLS_VERSIONS];
}

export interface WebConfig {
  readonly tls?: TlsOptions;
  /** user → bcrypt hash; absent means no authentication. */
  readonly basicAuthUsers?: ReadonlyMap<string, string>;
  readonly headers: Readonly<Record<string, string>>;
}

export function loadWebConfig(file: string): WebConfig {
  const { data, text } = readYamlFile(file);
  const parsed = validate(webConfigSchema, data, { file, text });
  const dir = path.dirname(file);
  const tls = parsed.tls_server_config;
  const read = (key: string, relative: string): Buffer => {
    try {
      return readFileSync(path.resolve(dir, relative));
    } catch (error) {
      throw new ConfigError([{ source: file, path: `tls_server_config.${key}`, message: `cannot read ${relative}: ${(error as Error).message}` }]);
    }
  };
  return {
    ...(tls !== undefined && {
      tls: {
        cert: read('cert_file', tls.cert_file),
        key: read('key_file', tls.key_file),
        ...(tls.client_ca_file !== undefined && { ca: read('client_ca_file', tls.client_ca_file) }),
        requestCert: tls.client_auth_type !== 'NoClientCert',
        rejectUnauthorized: tls.client_auth_type === 'RequireAndVerifyClientCert' || tls.client_auth_type === 'RequireAnyClientCert',
        minVersion: TLS_VERSIONS[tls.min_version],
        maxVersion: TLS_VERSIONS[tls.max_version],
      },
    }),
    ...(parsed.basic_auth_users !== undefined && { basicAuthUsers: new Map(Object.entries(parsed.basic_auth_users)) }),
    headers: parsed.http_server_config?.headers ?? {},
  };
}
