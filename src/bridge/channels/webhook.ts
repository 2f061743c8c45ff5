import type { GroupNotification } from '../intake.js';
import { createHttpClient, type ChannelHttp } from './http.js';
import type { DeliveryResult, Notifier } from './notifier.js';

/** The generic outgoing webhook's body: Alertmanager's group shape, narrowed to the alerts routed here. */
export interface OutgoingWebhookBody extends GroupNotification {
  readonly version: '1';
  readonly source: 'ide-monitor';
}

export function buildWebhookBody(notification: GroupNotification): OutgoingWebhookBody {
  return { version: '1', source: 'ide-monitor', ...notification };
}

export class WebhookNotifier implements Notifier {
  readonly channel = 'webhook' as const;
  private readonly http: ChannelHttp;

  constructor(
    private readonly url: string,
    private readonly bearerToken: string | undefined,
    timeoutMs: number,
  ) {
    this.http = createHttpClient(timeoutMs);
  }

  async notify(body: string, dedupKey: string): Promise<DeliveryResult> {
    const payload = JSON.stringify(buildWebhookBody(JSON.parse(body) as GroupNotification));
    // Receivers can drop re-sends (at-least-once delivery) by this key.
    const headers: Record<string, string> = { 'Idempotency-Key': dedupKey };
    if (this.bearerToken !== undefined) headers['Authorization'] = `Bearer ${this.bearerToken}`;
    return this.http.post(this.url, payload, headers);
  }

  close(): void {
    this.http.close();
  }
}
