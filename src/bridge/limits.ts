import type { WebhookAlert } from './payload.js';
import { cutAt } from './channels/format.js';

export interface SizeLimits {
  /** Bytes of one label value. */
  readonly maxLabelValue: number;
  /** Bytes of one annotation. */
  readonly maxAnnotation: number;
}

const TRUNCATION_MARKER = '…[truncated by ide-monitor]';

/**
 * Cuts oversized label values and annotations (a runaway `description` of megabytes) at intake, so
 * nothing the bridge stores, lists or sends grows with them. The fingerprint was checked against the
 * original labels first and is kept: it still names the alert Alertmanager has. A silence for an alert
 * with a cut label matches that label by its prefix (see silenceMatchers).
 */
export function capAlert(alert: WebhookAlert, limits: SizeLimits): { alert: WebhookAlert; truncated: number } {
  let truncated = 0;
  const cap = (values: Record<string, string>, max: number) => {
    let changed: Record<string, string> | undefined;
    for (const [name, value] of Object.entries(values)) {
      if (value.length * 3 <= max || Buffer.byteLength(value, 'utf8') <= max) continue;
      changed ??= { ...values };
      changed[name] = cutToBytes(value, max - Buffer.byteLength(TRUNCATION_MARKER)) + TRUNCATION_MARKER;
      truncated += 1;
    }
    return changed ?? values;
  };
  const labels = cap(alert.labels, limits.maxLabelValue);
  const annotations = cap(alert.annotations, limits.maxAnnotation);
  return truncated === 0 ? { alert, truncated } : { alert: { ...alert, labels, annotations }, truncated };
}

function cutToBytes(text: string, maxBytes: number): string {
  // A code unit is at most 3 bytes (a surrogate pair is 4 for 2 units), so maxBytes/3 units always fit;
  // then grow while it does.
  let units = Math.floor(Math.max(0, maxBytes) / 3);
  while (units < text.length && Buffer.byteLength(cutAt(text, units + 256), 'utf8') <= maxBytes) units += 256;
  return cutAt(text, units);
}

/** Alertmanager silence matchers for exactly this alert: equality, or a prefix regex for a cut value. */
export function silenceMatchers(labels: Readonly<Record<string, string>>): Array<{ name: string; value: string; isRegex: boolean; isEqual: boolean }> {
  return Object.entries(labels).map(([name, value]) =>
    value.endsWith(TRUNCATION_MARKER)
      ? { name, value: `${escapeRegex(value.slice(0, -TRUNCATION_MARKER.length))}.*`, isRegex: true, isEqual: true }
      : { name, value, isRegex: false, isEqual: true },
  );
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
