import { z } from 'zod';

/**
 * Alertmanager's webhook payload, version "4" (notify/webhook in Alertmanager ≥ 0.16). Everything the
 * bridge reads about an alert comes through here; unknown extra fields are tolerated, as Alertmanager may
 * add some, but the fields we rely on must be present and well-typed.
 */
const labelSet = z.record(z.string(), z.string());
const timestamp = z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'must be an RFC 3339 timestamp');
const status = z.enum(['firing', 'resolved']);

const webhookAlertSchema = z.object({
  status,
  labels: labelSet,
  annotations: labelSet,
  startsAt: timestamp,
  /** Go's zero time (0001-01-01T00:00:00Z) while firing without an end. */
  endsAt: timestamp,
  generatorURL: z.string(),
  fingerprint: z.string().regex(/^[0-9a-f]{1,64}$/i, 'must be a hex fingerprint'),
});

export const webhookPayloadSchema = z.object({
  version: z.literal('4', { error: (issue) => `unsupported payload version ${shortly(issue.input)}; this bridge speaks Alertmanager's webhook version "4"` }),
  groupKey: z.string().min(1),
  truncatedAlerts: z.number().int().nonnegative().default(0),
  status,
  receiver: z.string(),
  groupLabels: labelSet,
  commonLabels: labelSet,
  commonAnnotations: labelSet,
  externalURL: z.string(),
  alerts: z.array(webhookAlertSchema).min(1, 'must contain at least one alert'),
});

/**
 * A bad value as a short phrase for an error message. Never JSON.stringify the caller's structure: a
 * value nested thousands deep overflows the stack (a 500 instead of a 400), a huge one bloats the answer.
 */
function shortly(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : typeof value;
}

export type WebhookAlert = z.output<typeof webhookAlertSchema>;
export type WebhookPayload = z.output<typeof webhookPayloadSchema>;

/** A zod failure as one line a caller can act on: `alerts.0.fingerprint: must be a hex fingerprint; …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`)
    .join('; ');
}
