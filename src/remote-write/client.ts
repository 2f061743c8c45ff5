import { createOutboundClient, OutboundError, type OutboundClient, type OutboundResponse } from '../http/outbound.js';
import { parseRetryAfter } from '../bridge/backoff.js';

/** How one endpoint is reached: its URL, credentials and TLS, resolved from the config (secrets read). */
export interface RemoteEndpoint {
  readonly url: URL;
  /** The `url` label of the self-metrics and logs: no credentials, no query string. */
  readonly label: string;
  readonly timeoutMs: number;
  /** Extra headers, `Authorization` included when basic auth or a bearer token is configured. */
  readonly headers: Readonly<Record<string, string>>;
  readonly tls: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer; readonly servername?: string; readonly rejectUnauthorized: boolean };
}

export type SendOutcome =
  | { readonly kind: 'sent' }
  /** 5xx, 429 or a network error: the same batch is worth sending again, after `retryAfterMs` when the receiver said so. */
  | { readonly kind: 'retry'; readonly reason: string; readonly retryAfterMs?: number }
  /** Any other 4xx: the receiver will never take this batch (bad labels, out of order, too old). */
  | { readonly kind: 'reject'; readonly reason: string };

/** Headers the remote-write 1.0 specification requires on every request. */
const REMOTE_WRITE_HEADERS = {
  'Content-Encoding': 'snappy',
  'Content-Type': 'application/x-protobuf',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
} as const;

/** The first part of a receiver's error text is enough to say why (Prometheus answers a one-line reason). */
const MAX_REASON_BYTES = 512;

/** POSTs snappy-compressed WriteRequests to one endpoint over a keep-alive connection. */
export class RemoteWriteClient {
  private readonly http: OutboundClient;

  constructor(
    private readonly endpoint: RemoteEndpoint,
    userAgent: string,
  ) {
    this.http = createOutboundClient({ timeoutMs: endpoint.timeoutMs, userAgent, maxSockets: 1, maxBodyBytes: MAX_REASON_BYTES, tls: endpoint.tls });
  }

  async send(body: Uint8Array, signal?: AbortSignal): Promise<SendOutcome> {
    let response: OutboundResponse;
    try {
      response = await this.http.request({
        url: this.endpoint.url.href,
        body: Buffer.from(body.buffer, body.byteOffset, body.byteLength),
        headers: { ...this.endpoint.headers, ...REMOTE_WRITE_HEADERS },
        ...(signal !== undefined && { signal }),
      });
    } catch (error) {
      return { kind: 'retry', reason: error instanceof OutboundError ? error.code : String(error) };
    }
    return outcomeOf(response);
  }

  close(): void {
    this.http.close();
  }
}

function outcomeOf({ status, headers, body }: OutboundResponse): SendOutcome {
  if (status >= 200 && status < 300) return { kind: 'sent' };
  const text = body.trim();
  const reason = `HTTP ${status}${text === '' ? '' : `: ${text.split('\n')[0]}`}`;
  if (status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(headers['retry-after']);
    return retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
  }
  return { kind: 'reject', reason };
}
