import { createOutboundClient, OutboundError, type OutboundClient, type OutboundRequest, type OutboundResponse } from '../../http/outbound.js';
import { parseRetryAfter } from '../backoff.js';
import type { DeliveryResult } from './notifier.js';

/** What a channel sends with: one request, read as a DeliveryResult; never throws. */
export interface ChannelHttp {
  send(request: OutboundRequest, read?: (response: OutboundResponse) => DeliveryResult | undefined): Promise<DeliveryResult>;
  close(): void;
}

export function createChannelHttp(timeoutMs: number): ChannelHttp {
  const client: OutboundClient = createOutboundClient({ timeoutMs, userAgent: 'ide-monitor-bridge' });
  return {
    async send(request, read) {
      try {
        const response = await client.request(request);
        return read?.(response) ?? classifyResponse(response);
      } catch (error) {
        // A transport failure (refused, reset, past the deadline) is worth retrying.
        return { outcome: 'retry', reason: error instanceof OutboundError ? error.message : `transport error: ${(error as Error).name}` };
      }
    },
    close: () => client.close(),
  };
}

/**
 * The shared reading of an HTTP answer: 2xx delivered; 408, 429 and 5xx retried (after Retry-After when
 * given); any other 4xx is final (a bad key or a malformed message does not get better by retrying).
 */
export function classifyResponse(response: OutboundResponse, retryAfterMs?: number): DeliveryResult {
  const { status } = response;
  if (status >= 200 && status < 300) return { outcome: 'delivered', status };
  const excerpt = bodyExcerpt(response.body);
  if (status === 429 || status === 408 || status >= 500) {
    const after = retryAfterMs ?? parseRetryAfter(response.headers['retry-after']);
    return { outcome: 'retry', reason: `HTTP ${status}${excerpt}`, ...(after !== undefined && { retryAfterMs: after }) };
  }
  return { outcome: 'give_up', reason: `HTTP ${status}${excerpt}` };
}

function bodyExcerpt(text: string): string {
  const trimmed = text.trim().slice(0, 200);
  return trimmed === '' ? '' : `: ${trimmed}`;
}
