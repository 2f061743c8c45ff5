import type { Notification } from '../notification.js';

/**
 * Alertmanager's notifier shape: a channel tries once and says what happened; the dispatcher owns every
 * retry decision (backoff, Retry-After, attempt and age limits, dead-lettering).
 */
export type DeliveryResult =
  | { readonly outcome: 'delivered'; readonly status?: number }
  | { readonly outcome: 'retry'; readonly reason: string; readonly retryAfterMs?: number }
  | { readonly outcome: 'give_up'; readonly reason: string };

export interface Notifier {
  /** Delivers one notification once. `dedupKey` is unique per delivery (receivers can drop re-sends by it). Never throws. */
  notify(notification: Notification, dedupKey: string): Promise<DeliveryResult>;
  close?(): void;
}
