import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
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
  private readonly agent: HttpAgent;

  constructor(
    private readonly endpoint: RemoteEndpoint,
    private readonly userAgent: string,
  ) {
    const https = endpoint.url.protocol === 'https:';
    this.agent = https ? new HttpsAgent({ keepAlive: true, maxSockets: 1, ...endpoint.tls }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
  }

  send(body: Uint8Array, signal?: AbortSignal): Promise<SendOutcome> {
    const { url, timeoutMs, headers } = this.endpoint;
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          timeout: timeoutMs,
          ...(signal !== undefined && { signal }),
          headers: { ...headers, ...REMOTE_WRITE_HEADERS, 'User-Agent': this.userAgent, 'Content-Length': body.byteLength },
        },
        // Both outcomes resolve the send's promise, so nothing is left to await here.
        (res) => void readOutcome(res).then(resolve, (error: Error) => resolve({ kind: 'retry', reason: error.message })),
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'retry', reason: error.code ?? error.message }));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

async function readOutcome(res: IncomingMessage): Promise<SendOutcome> {
  let text = '';
  for await (const chunk of res) if (text.length < MAX_REASON_BYTES) text += (chunk as Buffer).toString('utf8');
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) return { kind: 'sent' };
  const reason = `HTTP ${status}${text.trim() === '' ? '' : `: ${text.trim().slice(0, MAX_REASON_BYTES).split('\n')[0]}`}`;
  if (status === 429 || status >= 500) {
    // Node keeps one Retry-After (it drops duplicates of it), so this is a string or undefined.
    const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
    return retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
  }
  return { kind: 'reject', reason };
}
