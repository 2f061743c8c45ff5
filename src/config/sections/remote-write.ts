import { z } from 'zod';
import { duration, positiveInt } from '../schema-types.js';
import type { Setting } from '../setting.js';

const optionalPath = z.string().min(1).optional();
/** Prometheus' label name rule; names starting with `__` are reserved for Prometheus itself. */
const labelName = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)')
  .refine((name) => !name.startsWith('__'), 'label names starting with "__" are reserved');

/**
 * One `remote_write:` entry, shaped like Prometheus' own so an entry can be copied from a prometheus.yml:
 * url, remote_timeout, headers, basic_auth, authorization (or the older bearer_token), tls_config and
 * queue_config. Secrets may come from `*_file`.
 */
const remoteWriteEndpointSchema = z
  .strictObject({
    url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
    /** Shown in logs instead of the URL when set. */
    name: z.string().min(1).optional(),
    remote_timeout: duration.default(30_000),
    headers: z.record(z.string().min(1), z.string()).default({}),
    basic_auth: z
      .strictObject({ username: z.string().min(1), password: z.string().min(1).optional(), password_file: optionalPath })
      .refine((b) => b.password !== undefined || b.password_file !== undefined, { message: 'needs password or password_file', path: ['password'] })
      .optional(),
    authorization: z
      .strictObject({ type: z.string().min(1).default('Bearer'), credentials: z.string().min(1).optional(), credentials_file: optionalPath })
      .refine((a) => a.credentials !== undefined || a.credentials_file !== undefined, {
        message: 'needs credentials or credentials_file',
        path: ['credentials'],
      })
      .optional(),
    /** Prometheus' older spelling of `authorization: {credentials: …}`. */
    bearer_token: z.string().min(1).optional(),
    bearer_token_file: optionalPath,
    tls_config: z
      .strictObject({
        ca_file: optionalPath,
        cert_file: optionalPath,
        key_file: optionalPath,
        server_name: z.string().min(1).optional(),
        insecure_skip_verify: z.boolean().default(false),
      })
      .refine((t) => (t.cert_file === undefined) === (t.key_file === undefined), { message: 'cert_file and key_file go together', path: ['key_file'] })
      .prefault({}),
    queue_config: z
      .strictObject({
        /** Samples held while the endpoint is unreachable; beyond it the oldest are dropped. */
        capacity: positiveInt.default(100_000),
        max_samples_per_send: positiveInt.default(2000),
        /** Backoff after a failed send, doubling per failure up to max_backoff (Prometheus' defaults). */
        min_backoff: duration.default(30),
        max_backoff: duration.default(5000),
      })
      .refine((q) => q.min_backoff <= q.max_backoff, { message: 'min_backoff must be at most max_backoff', path: ['min_backoff'] })
      .prefault({}),
  })
  .refine((e) => [e.basic_auth, e.authorization, e.bearer_token ?? e.bearer_token_file].filter((x) => x !== undefined).length <= 1, {
    message: 'at most one of basic_auth, authorization and bearer_token may be set',
  });

export type RemoteWriteEndpointConfig = z.output<typeof remoteWriteEndpointSchema>;

export const remoteWriteSchema = z.array(remoteWriteEndpointSchema).default([]);

/**
 * `global:` — as in prometheus.yml: the labels that tell this machine's samples apart at a central
 * receiver (`user`, `machine`, `team`), and how often the samples `/metrics` exposes are gathered and sent.
 */
export const globalSchema = z
  .strictObject({
    external_labels: z.record(labelName, z.string().min(1)).default({}),
    remote_write_interval: duration.default(15_000),
  })
  .prefault({});

export const REMOTE_WRITE_SETTINGS: readonly Setting[] = [
  {
    name: 'remote-write.interval',
    path: ['global', 'remote_write_interval'],
    kind: 'duration',
    help: 'How often the samples /metrics exposes are gathered and sent to every remote-write URL.',
  },
];
