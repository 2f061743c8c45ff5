import type { WebhookAlert } from '../payload.js';

/** Text helpers shared by the message builders. */

export const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'] as const;

/** The most severe `severity` label among the alerts (by our rule order), or the first unknown one. */
export function worstSeverity(alerts: readonly WebhookAlert[]): string {
  const present = alerts.map((a) => a.labels['severity'] ?? '');
  for (const severity of SEVERITY_ORDER) if (present.includes(severity)) return severity;
  return present.find((s) => s !== '') ?? '';
}

/**
 * Cuts to at most `max` UTF-16 code units (the unit every service's "characters" is at least as large as),
 * marking the cut, and never between the two halves of a surrogate pair: a lone surrogate is invalid
 * text that Slack and PagerDuty show as garbage or reject.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${cutAt(text, Math.max(0, max - 1))}…`;
}

/** The longest prefix of at most `units` code units that ends on a code point boundary. */
export function cutAt(text: string, units: number): string {
  if (text.length <= units) return text;
  const last = text.charCodeAt(units - 1);
  // A high surrogate at the end would lose its low half.
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, units - 1) : text.slice(0, units);
}

/** Cuts to at most `maxBytes` bytes of UTF-8 (PagerDuty's and email's limits are bytes), marking the cut. */
export function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  // At most 3 bytes per code unit (a pair is 4 bytes for 2 units): start there and shrink.
  let units = Math.min(text.length, Math.floor(maxBytes / 3));
  let cut = cutAt(text, units);
  while (Buffer.byteLength(cut, 'utf8') + 3 <= maxBytes && units < text.length) {
    const step = Math.max(1, Math.floor((maxBytes - 3 - Buffer.byteLength(cut, 'utf8')) / 3));
    units = Math.min(text.length, units + step);
    const next = cutAt(text, units);
    if (Buffer.byteLength(next, 'utf8') + 3 > maxBytes) break;
    cut = next;
  }
  return `${cut}…`;
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
