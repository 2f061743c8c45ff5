import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosResponse } from 'axios';
import { parseRetryAfter } from '../backoff.js';
import type { DeliveryResult } from './notifier.js';

/** What a channel sends with: one POST of a serialised JSON body, read as a DeliveryResult; never throws. */
export interface ChannelHttp {
  post(url: string, body: string, headers?: Record<string, string>): Promise<DeliveryResult>;
  close(): void;
}

/**
 * One axios instance per channel: keep-alive sockets (a TLS handshake per notification would dominate
 * the latency), a timeout, no redirects (a webhook that redirects is misconfigured), and every status
 * returned rather than thrown so `classify` sees it.
 */
export function createHttpClient(timeoutMs: number): ChannelHttp {
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 16 });
  const client = axios.create({
    timeout: timeoutMs,
    maxRedirects: 0,
    httpAgent,
    httpsAgent,
    validateStatus: () => true,
    headers: { 'Content-Type': 'application/json', 'User-Agent': 'ide-monitor-bridge' },
    // Bodies are pre-serialised JSON strings.
    transformRequest: [(data: unknown) => data],
    responseType: 'text',
    transitional: { silentJSONParsing: true, forcedJSONParsing: false, clarifyTimeoutError: true },
  });
  return {
    async post(url, body, headers) {
      try {
        return classify(await client.post(url, body, headers === undefined ? undefined : { headers }));
      } catch (error) {
        return transportFailure(error);
      }
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** The shared reading of an HTTP answer: 2xx delivered; 408, 429 and 5xx retried; any other 4xx is final. */
function classify(response: AxiosResponse): DeliveryResult {
  const { status } = response;
  if (status >= 200 && status < 300) return { outcome: 'delivered', status };
  const excerpt = bodyExcerpt(response.data);
  if (status === 429 || status === 408 || status >= 500) {
    const retryAfterMs = parseRetryAfter(headerOf(response, 'retry-after'));
    return { outcome: 'retry', reason: `HTTP ${status}${excerpt}`, ...(retryAfterMs !== undefined && { retryAfterMs }) };
  }
  return { outcome: 'give_up', reason: `HTTP ${status}${excerpt}` };
}

/**
 * A transport failure (refused, reset, timeout) is worth retrying. The message is built from the error
 * code only: axios' messages and config carry the URL, and webhook URLs are secrets.
 */
function transportFailure(error: unknown): DeliveryResult {
  const code = (error as { code?: unknown }).code;
  const reason = typeof code === 'string' ? code : error instanceof Error ? error.name : 'request failed';
  return { outcome: 'retry', reason: `transport error: ${reason}` };
}

function headerOf(response: AxiosResponse, name: string): string | undefined {
  const value: unknown = response.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function bodyExcerpt(data: unknown): string {
  const text = typeof data === 'string' ? data : data === undefined ? '' : JSON.stringify(data);
  const trimmed = text.trim().slice(0, 200);
  return trimmed === '' ? '' : `: ${trimmed}`;
}
