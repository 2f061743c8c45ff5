import { z } from 'zod';
import { createOutboundClient, type OutboundClient } from '../http/outbound.js';

const amAlert = z.object({
  fingerprint: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  labels: z.record(z.string(), z.string()),
});
const alertList = z.array(amAlert);
const silenceAnswer = z.object({ silenceID: z.string().min(1) });

export type AlertmanagerAlert = z.output<typeof amAlert>;

class AlertmanagerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlertmanagerError';
  }
}

export interface SilenceRequest {
  readonly matchers: ReadonlyArray<{ name: string; value: string; isRegex: boolean; isEqual: boolean }>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly createdBy: string;
  readonly comment: string;
}

/**
 * Alertmanager's v2 API as the bridge uses it: the current alerts (silenced and inhibited included), and
 * silences for acknowledgements. One instance per base URL, on the shared outbound client.
 */
export class AlertmanagerClient {
  private readonly http: OutboundClient;
  private readonly base: string;

  constructor(baseUrl: string, timeoutMs: number) {
    this.base = baseUrl.replace(/\/$/, '');
    // Alertmanager's alert list is about 0.5 KB per alert: 64 MiB is over 100,000 alerts; more is refused, not cut.
    this.http = createOutboundClient({ timeoutMs, userAgent: 'ide-monitor-bridge', maxSockets: 4, maxBodyBytes: 64 * 2 ** 20, oversized: 'fail' });
  }

  get url(): string {
    return this.base;
  }

  /** Every alert Alertmanager holds (active, silenced, inhibited, unprocessed). Throws when it cannot be read. */
  async alerts(): Promise<AlertmanagerAlert[]> {
    const response = await this.http.request({ method: 'GET', url: `${this.base}/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true` });
    if (response.status !== 200) throw new AlertmanagerError(`GET /api/v2/alerts answered ${response.status}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.body);
    } catch {
      throw new AlertmanagerError('GET /api/v2/alerts answered with something that is not JSON');
    }
    const alerts = alertList.safeParse(parsed);
    if (!alerts.success) throw new AlertmanagerError('GET /api/v2/alerts answered with an unexpected shape');
    return alerts.data;
  }

  async createSilence(silence: SilenceRequest): Promise<string> {
    const response = await this.http.request({ method: 'POST', url: `${this.base}/api/v2/silences`, body: JSON.stringify(silence) });
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.body);
    } catch {
      parsed = undefined;
    }
    const answer = silenceAnswer.safeParse(parsed);
    if (response.status !== 200 || !answer.success) throw new AlertmanagerError(`Alertmanager answered ${response.status}: ${response.body.slice(0, 300)}`);
    return answer.data.silenceID;
  }

  /** Expires a silence; one that is already expired or gone is fine. */
  async expireSilence(id: string): Promise<void> {
    const response = await this.http.request({ method: 'DELETE', url: `${this.base}/api/v2/silence/${encodeURIComponent(id)}` });
    if (response.status !== 200 && response.status !== 404 && !(response.status === 500 && /already expired/i.test(response.body))) {
      throw new AlertmanagerError(`Alertmanager answered ${response.status} expiring silence ${id}: ${response.body.slice(0, 300)}`);
    }
  }

  close(): void {
    this.http.close();
  }
}
