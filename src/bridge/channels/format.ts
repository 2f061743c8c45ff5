import type { WebhookAlert } from '../payload.js';

/** Text helpers shared by the message builders. */

export const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'] as const;

/** The most severe `severity` label among the alerts (by our rule order), or the first unknown one. */
export function worstSeverity(alerts: readonly WebhookAlert[]): string {
  const present = alerts.map((a) => a.labels['severity'] ?? '');
  for (const severity of SEVERITY_ORDER) if (present.includes(severity)) return severity;
  return present.find((s) => s !== '') ?? '';
}

/** Cuts to at most `max` characters (code units), marking the cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * A link to Alertmanager's "new silence" form, pre-filled with the alert's labels. Alertmanager's own
 * templates build the same from `.ExternalURL`.
 */
export function silenceLink(externalURL: string, labels: Readonly<Record<string, string>>): string | undefined {
  if (!/^https?:\/\//.test(externalURL)) return undefined;
  const matchers = Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`)
    .join(',');
  return `${externalURL.replace(/\/$/, '')}/#/silences/new?filter=${encodeURIComponent(`{${matchers}}`)}`;
}

export function isHttpUrl(text: string | undefined): text is string {
  return text !== undefined && /^https?:\/\/\S+$/.test(text);
}
