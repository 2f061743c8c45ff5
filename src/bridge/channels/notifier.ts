import type { BridgeChannel } from '../../config/sections/bridge.js';

/**
 * Alertmanager's notifier shape: a channel tries once and says what happened; the dispatcher owns every
 * retry decision (backoff, Retry-After, attempt and age limits, dead-lettering).
 */
export type DeliveryResult =
  | { readonly outcome: 'delivered'; readonly status?: number }
  | { readonly outcome: 'retry'; readonly reason: string; readonly retryAfterMs?: number }
  | { readonly outcome: 'give_up'; readonly reason: string };

export interface Notifier {
  readonly channel: BridgeChannel;
  /** Delivers one outbox body (JSON as stored by the intake) once. Never throws. */
  notify(body: string, dedupKey: string): Promise<DeliveryResult>;
  close?(): void;
}
